//! RSA keys as the payment channels hand them out, and the one scheme they all use:
//! RSASSA-PKCS1-v1_5 with SHA-256 ("SHA256withRSA", Alipay's "RSA2", WeChat Pay's
//! "WECHATPAY2-SHA256-RSA2048"), signatures in standard base64.
//!
//! Signing and verifying are `ring`'s (constant-time private-key operations; the `rsa` crate's leak
//! timing, RUSTSEC-2023-0071). This module only reads the key containers `ring` does not: PEM
//! armour, bare base64 as the channels' key tools print it, and SubjectPublicKeyInfo (`ring` verifies
//! with the PKCS#1 `RSAPublicKey` inside it). A private key never reaches `Debug` output or an error.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RsaError {
    /// No `-----BEGIN {label}-----` … `-----END {label}-----` block, or its body is not base64.
    #[error("no PEM block labelled {0}")]
    Pem(String),
    /// The bytes are not a key of the expected kind (the reason never quotes the key).
    #[error("not a usable RSA {kind}: {reason}")]
    Key { kind: &'static str, reason: String },
    /// `ring` refused to sign (it only does so when its random source fails).
    #[error("RSA signing failed")]
    Sign,
}

fn key_error(kind: &'static str, reason: impl Into<String>) -> RsaError {
    RsaError::Key { kind, reason: reason.into() }
}

/// The base64 body of the first `label` block in `pem` (whitespace inside it ignored).
pub fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, RsaError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin).ok_or_else(|| RsaError::Pem(label.to_owned()))? + begin.len();
    let len = pem[start..].find(&end).ok_or_else(|| RsaError::Pem(label.to_owned()))?;
    decode_base64(&pem[start..start + len]).ok_or_else(|| RsaError::Pem(label.to_owned()))
}

/// Standard base64 with any whitespace (line breaks of PEM or of a pasted key) removed.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    BASE64.decode(compact).ok()
}

/// An RSA private key that signs with SHA256withRSA. `Clone` shares the key; `Debug` prints `***`.
#[derive(Clone)]
pub struct PrivateKey {
    pair: Arc<RsaKeyPair>,
}

impl PrivateKey {
    /// Reads PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`), or either as bare
    /// base64 without armour, as Alipay's key tool prints the app private key.
    pub fn from_pem(text: &str) -> Result<Self, RsaError> {
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(key_error("private key", "encrypted keys are not supported; decrypt it first"));
        }
        if text.contains("-----BEGIN PRIVATE KEY-----") {
            return Self::from_pkcs8_der(&pem_body(text, "PRIVATE KEY")?);
        }
        if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            return Self::from_pkcs1_der(&pem_body(text, "RSA PRIVATE KEY")?);
        }
        if text.contains("-----BEGIN") {
            return Err(key_error("private key", "expected a PRIVATE KEY or RSA PRIVATE KEY block"));
        }
        let der = decode_base64(text).ok_or_else(|| key_error("private key", "neither PEM nor base64"))?;
        Self::from_pkcs8_der(&der).or_else(|_| Self::from_pkcs1_der(&der))
    }

    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, RsaError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| key_error("private key", e.to_string()))?;
        Ok(PrivateKey { pair: Arc::new(pair) })
    }

    /// PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, RsaError> {
        let pair = RsaKeyPair::from_der(der).map_err(|e| key_error("private key", e.to_string()))?;
        Ok(PrivateKey { pair: Arc::new(pair) })
    }

    /// `base64(RSASSA-PKCS1-v1_5(SHA-256(msg)))`. Deterministic: the same key and message always
    /// give the same signature, which is what lets tests compare with published values.
    pub fn sign_sha256(&self, msg: &[u8]) -> Result<String, RsaError> {
        let mut sig = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig)
            .map_err(|_| RsaError::Sign)?;
        Ok(BASE64.encode(sig))
    }

    /// The matching public key (the simulators hand it to the other side).
    pub fn public_key(&self) -> PublicKey {
        PublicKey { rsa_public_key: self.pair.public().as_ref().to_vec() }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(***)")
    }
}

/// An RSA public key that verifies SHA256withRSA signatures, 2048 to 8192 bits.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// PKCS#1 `RSAPublicKey` DER, the form `ring` verifies with.
    rsa_public_key: Vec<u8>,
}

/// `rsaEncryption`, 1.2.840.113549.1.1.1, as DER content octets.
const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

impl PublicKey {
    /// Reads SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`), PKCS#1 (`BEGIN RSA PUBLIC KEY`), or bare
    /// base64 SubjectPublicKeyInfo as the Alipay console shows the Alipay public key.
    pub fn from_pem(text: &str) -> Result<Self, RsaError> {
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            return Self::from_spki_der(&pem_body(text, "PUBLIC KEY")?);
        }
        if text.contains("-----BEGIN RSA PUBLIC KEY-----") {
            return Self::from_pkcs1_der(&pem_body(text, "RSA PUBLIC KEY")?);
        }
        if text.contains("-----BEGIN") {
            return Err(key_error("public key", "expected a PUBLIC KEY or RSA PUBLIC KEY block"));
        }
        let der = decode_base64(text).ok_or_else(|| key_error("public key", "neither PEM nor base64"))?;
        Self::from_spki_der(&der)
    }

    /// SubjectPublicKeyInfo: `SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING RSAPublicKey }`.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, RsaError> {
        let bad = |why: &str| key_error("public key", why.to_owned());
        let (spki, rest) = der::expect(der, der::SEQUENCE).ok_or_else(|| bad("not a DER SEQUENCE"))?;
        if !rest.is_empty() {
            return Err(bad("trailing bytes after SubjectPublicKeyInfo"));
        }
        let (algorithm, rest) = der::expect(spki, der::SEQUENCE).ok_or_else(|| bad("no AlgorithmIdentifier"))?;
        let (oid, _parameters) = der::expect(algorithm, der::OID).ok_or_else(|| bad("no algorithm OID"))?;
        if oid != RSA_ENCRYPTION_OID {
            return Err(bad("not an RSA key"));
        }
        let (bits, rest) = der::expect(rest, der::BIT_STRING).ok_or_else(|| bad("no subjectPublicKey"))?;
        if !rest.is_empty() {
            return Err(bad("trailing bytes in SubjectPublicKeyInfo"));
        }
        match bits.split_first() {
            Some((0, key)) => Self::from_pkcs1_der(key),
            _ => Err(bad("subjectPublicKey has unused bits")),
        }
    }

    /// PKCS#1 `RSAPublicKey`: `SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, RsaError> {
        let bad = |why: &str| key_error("public key", why.to_owned());
        let (body, rest) = der::expect(der, der::SEQUENCE).ok_or_else(|| bad("not a DER SEQUENCE"))?;
        let (modulus, after) = der::expect(body, der::INTEGER).ok_or_else(|| bad("no modulus"))?;
        let (exponent, after) = der::expect(after, der::INTEGER).ok_or_else(|| bad("no public exponent"))?;
        if !rest.is_empty() || !after.is_empty() || exponent.is_empty() {
            return Err(bad("malformed RSAPublicKey"));
        }
        let bits = der::unsigned_bits(modulus);
        if !(2048..=8192).contains(&bits) {
            return Err(bad(&format!("{bits}-bit modulus; 2048 to 8192 bits are accepted")));
        }
        Ok(PublicKey { rsa_public_key: der.to_vec() })
    }

    /// True when `base64_sig` is a valid SHA256withRSA signature of `msg` by this key. A signature
    /// that is not base64 is simply invalid.
    pub fn verify_sha256(&self, msg: &[u8], base64_sig: &str) -> bool {
        let Some(sig) = decode_base64(base64_sig) else { return false };
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.rsa_public_key).verify(msg, &sig).is_ok()
    }

    /// The key as SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`).
    pub fn to_pem(&self) -> String {
        let mut bit_string = vec![0];
        bit_string.extend_from_slice(&self.rsa_public_key);
        let algorithm = [der::tlv(der::OID, RSA_ENCRYPTION_OID), der::tlv(der::NULL, &[])].concat();
        let spki = der::tlv(
            der::SEQUENCE,
            &[der::tlv(der::SEQUENCE, &algorithm), der::tlv(der::BIT_STRING, &bit_string)].concat(),
        );
        let body = BASE64.encode(spki);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(RSA)")
    }
}

/// Just enough DER to find an RSA key inside SubjectPublicKeyInfo: definite lengths, one-byte tags.
mod der {
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;

    /// The content of a `tag` element at the start of `input`, and what follows it.
    pub fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&found, rest) = input.split_first()?;
        if found != tag {
            return None;
        }
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            // Long form: 1 to 4 length bytes, big-endian, minimal (DER).
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count || rest[0] == 0 {
                return None;
            }
            let len = rest[..count].iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return None;
            }
            (len, &rest[count..])
        };
        (rest.len() >= len).then(|| rest.split_at(len))
    }

    /// Bits of a positive INTEGER's value (its leading zero octets ignored).
    pub fn unsigned_bits(content: &[u8]) -> usize {
        let digits: &[u8] = match content.iter().position(|&b| b != 0) {
            Some(start) => &content[start..],
            None => &[],
        };
        match digits.first() {
            Some(&top) => (digits.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
            None => 0,
        }
    }

    pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_PRIVATE: &str = include_str!("testkeys/alipay_app_private_key.pem");
    const APP_PUBLIC: &str = include_str!("testkeys/alipay_app_public_key.pem");

    #[test]
    fn a_signature_verifies_with_the_matching_public_key_only() {
        let key = PrivateKey::from_pem(APP_PRIVATE).unwrap();
        let public = PublicKey::from_pem(APP_PUBLIC).unwrap();
        let sig = key.sign_sha256(b"a=1&b=2").unwrap();
        assert!(public.verify_sha256(b"a=1&b=2", &sig));
        assert!(!public.verify_sha256(b"a=1&b=3", &sig));
        let other = PublicKey::from_pem(include_str!("testkeys/alipay_public_key.pem")).unwrap();
        assert!(!other.verify_sha256(b"a=1&b=2", &sig));
        assert!(!public.verify_sha256(b"a=1&b=2", "not base64!"));
        assert!(!public.verify_sha256(b"a=1&b=2", ""));
    }

    #[test]
    fn pkcs1_signatures_are_deterministic() {
        let key = PrivateKey::from_pem(APP_PRIVATE).unwrap();
        assert_eq!(key.sign_sha256(b"x").unwrap(), key.sign_sha256(b"x").unwrap());
    }

    #[test]
    fn the_public_key_reads_as_pem_or_bare_base64_and_round_trips() {
        let from_pem = PublicKey::from_pem(APP_PUBLIC).unwrap();
        let bare: String = APP_PUBLIC.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(PublicKey::from_pem(&bare).unwrap(), from_pem);
        assert_eq!(from_pem.to_pem(), APP_PUBLIC);
        assert_eq!(PrivateKey::from_pem(APP_PRIVATE).unwrap().public_key(), from_pem);
    }

    #[test]
    fn the_private_key_reads_as_bare_base64_too() {
        let bare: String = APP_PRIVATE.lines().filter(|l| !l.starts_with("-----")).collect();
        let key = PrivateKey::from_pem(&bare).unwrap();
        assert!(PublicKey::from_pem(APP_PUBLIC).unwrap().verify_sha256(b"m", &key.sign_sha256(b"m").unwrap()));
    }

    #[test]
    fn malformed_keys_are_errors_not_panics() {
        for text in
            ["", "-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----", "MIIB", "-----BEGIN CERTIFICATE-----"]
        {
            assert!(PublicKey::from_pem(text).is_err(), "{text}");
            assert!(PrivateKey::from_pem(text).is_err(), "{text}");
        }
        assert!(PublicKey::from_spki_der(&[0x30, 0x82, 0xff, 0xff]).is_err());
        assert!(PublicKey::from_spki_der(&[0x30, 0x00]).is_err());
        // A 512-bit key is refused when it is read, not when it first fails to verify.
        let small = [der::tlv(der::INTEGER, &[0xc0; 64]), der::tlv(der::INTEGER, &[1, 0, 1])].concat();
        assert!(matches!(PublicKey::from_pkcs1_der(&der::tlv(der::SEQUENCE, &small)), Err(RsaError::Key { .. })));
    }

    #[test]
    fn pem_body_finds_the_labelled_block() {
        let pem = "junk\n-----BEGIN X-----\nAAEC\nAw==\n-----END X-----\n";
        assert_eq!(pem_body(pem, "X").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(pem_body(pem, "Y"), Err(RsaError::Pem("Y".to_owned())));
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let key = PrivateKey::from_pem(APP_PRIVATE).unwrap();
        assert_eq!(format!("{key:?}"), "PrivateKey(***)");
    }
}
