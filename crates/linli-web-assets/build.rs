//! Builds the web app (`web/`) with npm into OUT_DIR and generates a table of its files for
//! `include_bytes!`. Reruns only when the web sources change. The Vite build writes `X.gz` and
//! `X.br` beside each compressible file (`web/vite.config.ts`); they are embedded as variants of
//! `X`, not as files of their own.
//! - `LINLI_WEB_DIST=/path`: embed an already built app instead of running npm.
//! - `LINLI_SKIP_WEB_BUILD=1`: embed nothing (a binary that serves only the API).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let web = manifest.join("../../web");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-env-changed=LINLI_WEB_DIST");
    println!("cargo:rerun-if-env-changed=LINLI_SKIP_WEB_BUILD");
    for p in [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
        "tsconfig.app.json",
        "tsconfig.node.json",
    ] {
        let path = web.join(p);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }

    let dist = if let Ok(dir) = std::env::var("LINLI_WEB_DIST") {
        Some(PathBuf::from(dir))
    } else if std::env::var("LINLI_SKIP_WEB_BUILD").is_ok_and(|v| v == "1") {
        None
    } else {
        let dist = out.join("web");
        build_web(&web, &dist);
        Some(dist)
    };

    let mut files = Vec::new();
    if let Some(d) = &dist {
        collect(d, d, &mut files);
    }
    files.sort();
    let names: std::collections::HashSet<String> = files.iter().map(|(rel, _)| rel.clone()).collect();
    let is_variant =
        |rel: &str| [".gz", ".br"].iter().any(|ext| rel.strip_suffix(ext).is_some_and(|base| names.contains(base)));
    let variant = |abs: &Path, ext: &str| {
        let mut p = abs.as_os_str().to_owned();
        p.push(ext);
        let p = PathBuf::from(p);
        if p.is_file() { format!("Some(include_bytes!({:?}))", p.display().to_string()) } else { "None".to_string() }
    };
    let mut code = String::from("pub(crate) static FILES: &[Entry] = &[\n");
    for (rel, abs) in files.iter().filter(|(rel, _)| !is_variant(rel)) {
        let mime = mime_guess::from_path(abs).first_or_octet_stream().essence_str().to_string();
        let mime = if mime.starts_with("text/") || mime == "application/javascript" {
            format!("{mime}; charset=utf-8")
        } else {
            mime
        };
        writeln!(
            code,
            "    ({rel:?}, {mime:?}, include_bytes!({:?}), {}, {}),",
            abs.display().to_string(),
            variant(abs, ".gz"),
            variant(abs, ".br")
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out.join("assets.rs"), code).unwrap();
}

fn npm(web: &Path, args: &[&str], envs: &[(&str, &Path)]) {
    let mut cmd = Command::new("npm");
    cmd.args(args).current_dir(web);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let status = cmd.status().unwrap_or_else(|e| {
        panic!(
            "\n\nBuilding the web app needs Node.js and npm ({e}).\n\
             Install Node.js 20+ (https://nodejs.org or your package manager), or build without the\n\
             web app: LINLI_SKIP_WEB_BUILD=1 cargo build\n\n"
        )
    });
    assert!(status.success(), "`npm {}` failed in {}", args.join(" "), web.display());
}

fn build_web(web: &Path, dist: &Path) {
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => l.modified().ok() > i.modified().ok(),
        _ => true,
    };
    if stale {
        npm(web, &["ci", "--no-audit", "--no-fund"], &[]);
    }
    npm(web, &["run", "build"], &[("LINLI_WEB_OUT_DIR", dist)]);
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, p));
        }
    }
}
