//! RSA keys as the payment channels hand them out, and the one signature they all use:
//! SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256; Alipay's "RSA2", WeChat Pay's
//! "WECHATPAY2-SHA256-RSA2048"), carried as standard base64.
//!
//! Signing and verifying are ring's (constant-time private-key operations; the rsa crate's leak
//! timing, RUSTSEC-2023-0071). This module only reads the containers ring does not: PEM armour,
//! bare base64 as the channels' key tools print it, SubjectPublicKeyInfo (ring verifies with the
//! PKCS#1 `RSAPublicKey` inside it) and an X.509 certificate's serial number and key. That takes a
//! little DER, read here by hand by one small reader ([`Der`]); only configured keys and
//! certificates are read this way, never what a request carries. A private key never reaches
//! `Debug` output or an error.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};

/// Why a key or certificate cannot be read, or a signature cannot be made. No variant quotes key
/// material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RsaError {
    /// No `-----BEGIN {label}-----` … `-----END {label}-----` block.
    #[error("no PEM block labelled {0}")]
    MissingPem(String),
    /// A PEM body or a bare key that is not base64.
    #[error("the key is not base64")]
    Base64,
    #[error("malformed DER: {0}")]
    Der(&'static str),
    #[error("not an RSA key")]
    NotRsa,
    /// ring's reason (too short, inconsistent, not a key at all) or ours (encrypted, the wrong
    /// PEM label, a modulus outside 2048 to 8192 bits).
    #[error("RSA key rejected: {0}")]
    Rejected(String),
    /// ring refused to sign (it only does so when its random source, used for blinding, fails).
    #[error("RSA signing failed")]
    Sign,
}

/// The decoded body of the first `-----BEGIN {label}-----` block in `pem` (whitespace inside it
/// ignored).
pub fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, RsaError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let missing = || RsaError::MissingPem(label.to_owned());
    let start = pem.find(&begin).ok_or_else(missing)? + begin.len();
    let len = pem[start..].find(&end).ok_or_else(missing)?;
    decode_base64(&pem[start..start + len])
}

/// Standard base64 with any whitespace (PEM's line breaks, a pasted key's) removed.
fn decode_base64(text: &str) -> Result<Vec<u8>, RsaError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(compact).map_err(|_| RsaError::Base64)
}

/// A merchant's, app's or simulator's private key. `Clone` shares the key; `Debug` prints `***`.
#[derive(Clone)]
pub struct PrivateKey {
    pair: Arc<RsaKeyPair>,
}

impl PrivateKey {
    /// PKCS#8 (`BEGIN PRIVATE KEY`, WeChat's `apiclient_key.pem`), PKCS#1 (`BEGIN RSA PRIVATE
    /// KEY`), or either as bare base64 without armour, as Alipay's key tool prints the app key.
    pub fn from_pem(text: &str) -> Result<Self, RsaError> {
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(RsaError::Rejected("encrypted keys are not supported; decrypt it first".to_owned()));
        }
        if text.contains("-----BEGIN PRIVATE KEY-----") {
            return Self::from_pkcs8_der(&pem_body(text, "PRIVATE KEY")?);
        }
        if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            return Self::from_pkcs1_der(&pem_body(text, "RSA PRIVATE KEY")?);
        }
        if text.contains("-----BEGIN") {
            return Err(RsaError::Rejected("expected a PRIVATE KEY or RSA PRIVATE KEY block".to_owned()));
        }
        let der = decode_base64(text)?;
        Self::from_pkcs8_der(&der).or_else(|_| Self::from_pkcs1_der(&der))
    }

    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, RsaError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| RsaError::Rejected(e.to_string()))?;
        Ok(PrivateKey { pair: Arc::new(pair) })
    }

    /// PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, RsaError> {
        let pair = RsaKeyPair::from_der(der).map_err(|e| RsaError::Rejected(e.to_string()))?;
        Ok(PrivateKey { pair: Arc::new(pair) })
    }

    /// base64 of the SHA256withRSA signature of `msg`. PKCS#1 v1.5 is deterministic: the same key
    /// and message always give the same signature, which lets tests compare with published values.
    /// Fails only when the system's random source (ring's blinding) does.
    pub fn sign_sha256(&self, msg: impl AsRef<[u8]>) -> Result<String, RsaError> {
        let mut sig = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), msg.as_ref(), &mut sig)
            .map_err(|_| RsaError::Sign)?;
        Ok(BASE64.encode(sig))
    }

    /// The matching public key (the simulators hand it to the other side).
    pub fn public_key(&self) -> PublicKey {
        PublicKey { pkcs1: self.pair.public().as_ref().into() }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(***)")
    }
}

/// An RSA public key of 2048 to 8192 bits, kept as its PKCS#1 `RSAPublicKey` DER (what ring
/// verifies with).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pkcs1: Arc<[u8]>,
}

impl PublicKey {
    /// `BEGIN PUBLIC KEY` (SPKI, WeChat's `pub_key.pem`), `BEGIN RSA PUBLIC KEY` (PKCS#1), or the
    /// bare base64 of an SPKI as the Alipay console shows the Alipay public key.
    pub fn from_pem(text: &str) -> Result<Self, RsaError> {
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            return Self::from_spki_der(&pem_body(text, "PUBLIC KEY")?);
        }
        if text.contains("-----BEGIN RSA PUBLIC KEY-----") {
            return Self::from_pkcs1_der(&pem_body(text, "RSA PUBLIC KEY")?);
        }
        if text.contains("-----BEGIN") {
            return Err(RsaError::Rejected("expected a PUBLIC KEY or RSA PUBLIC KEY block".to_owned()));
        }
        Self::from_spki_der(&decode_base64(text)?)
    }

    /// A DER `SubjectPublicKeyInfo` with the rsaEncryption algorithm.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, RsaError> {
        let mut outer = Der::new(der);
        let spki = outer.expect(SEQUENCE)?;
        outer.end()?;
        read_spki(spki)
    }

    /// A DER `RSAPublicKey { modulus, publicExponent }`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, RsaError> {
        let mut outer = Der::new(der);
        let mut key = Der::new(outer.expect(SEQUENCE)?);
        outer.end()?;
        let modulus = key.expect(INTEGER)?;
        if key.expect(INTEGER)?.is_empty() {
            return Err(RsaError::Der("an empty public exponent"));
        }
        key.end()?;
        let bits = unsigned_bits(modulus);
        if !(2048..=8192).contains(&bits) {
            return Err(RsaError::Rejected(format!("{bits}-bit modulus; 2048 to 8192 bits are accepted")));
        }
        Ok(PublicKey { pkcs1: der.into() })
    }

    /// Whether `signature_base64` is this key's SHA256withRSA signature of `msg`. A signature
    /// that is not base64 is simply not valid.
    pub fn verify_sha256(&self, msg: impl AsRef<[u8]>, signature_base64: &str) -> bool {
        let Ok(signature) = decode_base64(signature_base64) else { return false };
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.pkcs1)
            .verify(msg.as_ref(), &signature)
            .is_ok()
    }

    /// The key as SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`), 64 characters a line.
    pub fn to_pem(&self) -> String {
        let mut bit_string = vec![0];
        bit_string.extend_from_slice(&self.pkcs1);
        let algorithm = [tlv(OID, RSA_ENCRYPTION), tlv(NULL, &[])].concat();
        let spki = tlv(SEQUENCE, &[tlv(SEQUENCE, &algorithm), tlv(BIT_STRING, &bit_string)].concat());
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
        write!(f, "PublicKey(RSA, {} DER bytes)", self.pkcs1.len())
    }
}

/// What Linli needs of an X.509 certificate: its serial number and its RSA key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Uppercase hex without leading zeros, as WeChat Pay names certificates (`Wechatpay-Serial`,
    /// `serial_no`) and as Go's `%X` prints a serial.
    pub serial_no: String,
    pub public_key: PublicKey,
}

impl Certificate {
    pub fn from_pem(pem: &str) -> Result<Self, RsaError> {
        Self::from_der(&pem_body(pem, "CERTIFICATE")?)
    }

    /// `Certificate { tbsCertificate { [0] version, serialNumber, signature, issuer, validity,
    /// subject, subjectPublicKeyInfo, … }, … }`.
    pub fn from_der(der: &[u8]) -> Result<Self, RsaError> {
        let mut outer = Der::new(der);
        let mut certificate = Der::new(outer.expect(SEQUENCE)?);
        outer.end()?;
        let mut tbs = Der::new(certificate.expect(SEQUENCE)?);
        if tbs.peek() == Some(VERSION) {
            tbs.read()?;
        }
        let serial = unsigned(tbs.expect(INTEGER)?);
        for _ in ["signature", "issuer", "validity", "subject"] {
            tbs.expect(SEQUENCE)?;
        }
        let public_key = read_spki(tbs.expect(SEQUENCE)?)?;
        let hex = hex::encode_upper(serial);
        let serial_no = match hex.trim_start_matches('0') {
            "" => "0".to_owned(),
            trimmed => trimmed.to_owned(),
        };
        Ok(Certificate { serial_no, public_key })
    }
}

const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
/// `[0] EXPLICIT Version` of a certificate.
const VERSION: u8 = 0xA0;
/// `rsaEncryption`, 1.2.840.113549.1.1.1, as DER content octets.
const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// The contents of a `SubjectPublicKeyInfo { AlgorithmIdentifier { rsaEncryption, NULL }, BIT STRING }`.
fn read_spki(contents: &[u8]) -> Result<PublicKey, RsaError> {
    let mut spki = Der::new(contents);
    let mut algorithm = Der::new(spki.expect(SEQUENCE)?);
    if algorithm.expect(OID)? != RSA_ENCRYPTION {
        return Err(RsaError::NotRsa);
    }
    if algorithm.peek() == Some(NULL) {
        algorithm.read()?;
    }
    algorithm.end()?;
    let bits = spki.expect(BIT_STRING)?;
    spki.end()?;
    match bits.split_first() {
        Some((0, key)) => PublicKey::from_pkcs1_der(key),
        _ => Err(RsaError::Der("a key's BIT STRING with unused bits")),
    }
}

/// An INTEGER's contents without its sign byte.
fn unsigned(integer: &[u8]) -> &[u8] {
    match integer {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => integer,
    }
}

/// Bits of a positive INTEGER's value (its leading zero octets ignored).
fn unsigned_bits(integer: &[u8]) -> usize {
    let digits = match integer.iter().position(|&b| b != 0) {
        Some(start) => &integer[start..],
        None => &[],
    };
    match digits.first() {
        Some(&top) => (digits.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

/// One DER element: `tag`, its definite length, `content` (what [`PublicKey::to_pem`] writes).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
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

/// A reader of consecutive DER elements (definite, minimal lengths of up to four bytes; one-byte
/// tags: all SubjectPublicKeyInfo and X.509 need here).
struct Der<'a> {
    input: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(input: &'a [u8]) -> Self {
        Der { input }
    }

    fn peek(&self) -> Option<u8> {
        self.input.first().copied()
    }

    /// The next element's tag and contents.
    fn read(&mut self) -> Result<(u8, &'a [u8]), RsaError> {
        let [tag, first, rest @ ..] = self.input else { return Err(RsaError::Der("truncated element")) };
        let (len, rest) = match *first {
            short @ 0..=0x7F => (usize::from(short), rest),
            0x81..=0x84 => {
                let count = usize::from(first - 0x80);
                if rest.len() < count {
                    return Err(RsaError::Der("truncated length"));
                }
                let (bytes, rest) = rest.split_at(count);
                let len = bytes.iter().fold(0usize, |len, byte| (len << 8) | usize::from(*byte));
                if bytes[0] == 0 || len < 0x80 {
                    return Err(RsaError::Der("a length not in its shortest form"));
                }
                (len, rest)
            }
            _ => return Err(RsaError::Der("unsupported length form")),
        };
        if rest.len() < len {
            return Err(RsaError::Der("element longer than its input"));
        }
        let (contents, rest) = rest.split_at(len);
        self.input = rest;
        Ok((*tag, contents))
    }

    fn expect(&mut self, tag: u8) -> Result<&'a [u8], RsaError> {
        match self.read()? {
            (found, contents) if found == tag => Ok(contents),
            _ => Err(RsaError::Der("unexpected element")),
        }
    }

    fn end(&self) -> Result<(), RsaError> {
        if self.input.is_empty() { Ok(()) } else { Err(RsaError::Der("trailing bytes")) }
    }
}

#[cfg(test)]
pub(crate) mod vectors {
    /// `wechatpay-apiv3/wechatpay-go`, `utils/sign_test.go` (`testAlgorithmPrivateKeyStr`; the SDK
    /// writes its label as `TESTING KEY` and swaps in `PRIVATE KEY` before parsing).
    pub const GO_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END PRIVATE KEY-----";

    /// `utils/sign_test.go` (`testAlgorithmExpectSignature`): [`GO_PRIVATE_KEY`]'s signature of
    /// the message `source`; also the signature `core/auth/verifiers/*_test.go` verify.
    pub const GO_SIGNATURE_OF_SOURCE: &str = "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==";

    /// `core/auth/verifiers/sha256withrsa_pubkey_verifier_test.go` (`testPubKey`, the public half
    /// of [`GO_PRIVATE_KEY`]).
    pub const GO_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2VCTd91fnUn73Xy9DLvt
/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXagHQ4vGeZN0yqm++rDsGK+
U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOmDeJf2vg6byms9RUipiq4
SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B834uxl1zNLYQCrkdBzb8oU
xwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGfy8wus7hwKz6clt3Whmmd
a7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtkaSef4FdEEgEXJiw0VAJT
8wIDAQAB
-----END PUBLIC KEY-----";

    /// `core/auth/verifiers/sha256withrsa_verifier_test.go`
    /// (`testWechatPayVerifierPlatformCertificate`): a self-signed certificate for the same key,
    /// serial `F5765756002FDD77`.
    pub const GO_PLATFORM_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJAPV2V1YAL913MA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg0MDMyWhcNMzEwNDI1MDg0MDMyWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAM+tslqBxYwqL9fdvGG6hfy69sjfX
UhBtBLWYugKKQCOWWLeq5dDWm3i5Cx2Rgiy9uc7RfmJNxQfIKlcoCNP85BjDoG1B
YnVc6znlcrT9uHgseha3987WwZsFAQbcy8TLUYHzVB8gmDgq8O08xdIe0eczatI8
t3Rg8WXO6Gs66JJ4JR+rD01o3FiSOQCRWhn19NSyDydsgPlOR2t9B9L+MkJwlsMG
Krn85TnwL3qcInzRnU8X86faXXJrI0IJi44tECKw8ftngCl6vyNwNNKPDwdkcuuV
8y3iBixO5IuKxEKEp2wGPV/4W1AXO73Z3Gb7z/1oxdgeO0hVqz1hBasTCQ==
-----END CERTIFICATE-----";
}

#[cfg(test)]
mod tests {
    use super::vectors::*;
    use super::*;

    const APP_PRIVATE: &str = include_str!("testkeys/alipay_app_private_key.pem");
    const APP_PUBLIC: &str = include_str!("testkeys/alipay_app_public_key.pem");

    fn bare(pem: &str) -> String {
        pem.lines().filter(|l| !l.starts_with("-----")).collect()
    }

    #[test]
    fn signing_reproduces_the_wechatpay_go_sha256withrsa_vector() {
        let key = PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap();
        assert_eq!(key.sign_sha256("source").unwrap(), GO_SIGNATURE_OF_SOURCE);
        assert_eq!(key.sign_sha256(b"x").unwrap(), key.sign_sha256(b"x").unwrap());
    }

    #[test]
    fn the_published_public_key_verifies_the_published_signature_and_nothing_else() {
        let key = PublicKey::from_pem(GO_PUBLIC_KEY).unwrap();
        assert!(key.verify_sha256("source", GO_SIGNATURE_OF_SOURCE));
        assert!(!key.verify_sha256("wrong source", GO_SIGNATURE_OF_SOURCE));
        assert!(!key.verify_sha256("source", ""));
        assert!(!key.verify_sha256("source", "invalid base64 signature"));
        assert_eq!(key, PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap().public_key());
    }

    #[test]
    fn a_signature_verifies_with_the_matching_public_key_only() {
        let key = PrivateKey::from_pem(APP_PRIVATE).unwrap();
        let public = PublicKey::from_pem(APP_PUBLIC).unwrap();
        let sig = key.sign_sha256(b"a=1&b=2").unwrap();
        assert!(public.verify_sha256(b"a=1&b=2", &sig));
        assert!(!public.verify_sha256(b"a=1&b=3", &sig));
        let other = PublicKey::from_pem(include_str!("testkeys/alipay_public_key.pem")).unwrap();
        assert!(!other.verify_sha256(b"a=1&b=2", &sig));
    }

    #[test]
    fn a_certificate_gives_its_serial_as_wechat_writes_it_and_its_key() {
        let certificate = Certificate::from_pem(GO_PLATFORM_CERTIFICATE).unwrap();
        assert_eq!(certificate.serial_no, "F5765756002FDD77");
        assert!(certificate.public_key.verify_sha256("source", GO_SIGNATURE_OF_SOURCE));
        assert_eq!(certificate.public_key, PublicKey::from_pem(GO_PUBLIC_KEY).unwrap());
    }

    #[test]
    fn the_simulators_committed_certificate_has_a_forty_digit_serial() {
        let certificate = Certificate::from_pem(include_str!("testkeys/wechat_platform_cert.pem")).unwrap();
        assert_eq!(certificate.serial_no, "4F2A9C61D0E37B85A1C6E2F94B7D3018C5E6A29B");
        let key = PrivateKey::from_pem(include_str!("testkeys/wechat_platform_key.pem")).unwrap();
        assert_eq!(certificate.public_key, key.public_key());
    }

    #[test]
    fn the_public_key_reads_as_spki_pkcs1_or_bare_base64_and_round_trips() {
        let from_pem = PublicKey::from_pem(APP_PUBLIC).unwrap();
        assert_eq!(PublicKey::from_pem(&bare(APP_PUBLIC)).unwrap(), from_pem);
        assert_eq!(from_pem.to_pem(), APP_PUBLIC);
        assert_eq!(PrivateKey::from_pem(APP_PRIVATE).unwrap().public_key(), from_pem);

        let go = PublicKey::from_pem(GO_PUBLIC_KEY).unwrap();
        assert_eq!(PublicKey::from_pem(&bare(GO_PUBLIC_KEY)).unwrap(), go);
        let pkcs1 =
            format!("-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----", BASE64.encode(&go.pkcs1));
        assert_eq!(PublicKey::from_pem(&pkcs1).unwrap(), go);
    }

    #[test]
    fn the_private_key_reads_as_pkcs8_pkcs1_or_bare_base64() {
        let key = PrivateKey::from_pem(&bare(APP_PRIVATE)).unwrap();
        assert!(PublicKey::from_pem(APP_PUBLIC).unwrap().verify_sha256(b"m", &key.sign_sha256(b"m").unwrap()));

        // PKCS#8 wraps the PKCS#1 key in an OCTET STRING after the version and algorithm.
        let pkcs8 = pem_body(GO_PRIVATE_KEY, "PRIVATE KEY").unwrap();
        let mut outer = Der::new(&pkcs8);
        let mut info = Der::new(outer.expect(SEQUENCE).unwrap());
        info.expect(INTEGER).unwrap();
        info.expect(SEQUENCE).unwrap();
        let pkcs1 = info.expect(0x04).unwrap();
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----", BASE64.encode(pkcs1));
        assert_eq!(PrivateKey::from_pem(&pem).unwrap().sign_sha256("source").unwrap(), GO_SIGNATURE_OF_SOURCE);
        let bare_pkcs1 = PrivateKey::from_pem(&BASE64.encode(pkcs1)).unwrap();
        assert_eq!(bare_pkcs1.sign_sha256("source").unwrap(), GO_SIGNATURE_OF_SOURCE);
    }

    #[test]
    fn what_is_not_an_rsa_key_is_refused_with_a_reason() {
        let ec = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDqDGhYHRpA6DP2OkVYn3z6PA5NvI
SVOsdWE+Z/T7vasBE5vjCEzJon5VO9ErabYnUWx11sMghedFVeMVWPeX8Q==
-----END PUBLIC KEY-----";
        assert_eq!(PublicKey::from_pem(ec), Err(RsaError::NotRsa));
        assert_eq!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"),
            Err(RsaError::Base64)
        );
        let truncated = &pem_body(GO_PUBLIC_KEY, "PUBLIC KEY").unwrap()[..100];
        assert!(matches!(PublicKey::from_spki_der(truncated), Err(RsaError::Der(_))));
        assert!(matches!(PublicKey::from_spki_der(&[0x30, 0x82, 0xff, 0xff]), Err(RsaError::Der(_))));
        assert!(matches!(PublicKey::from_spki_der(&[0x30, 0x81, 0x01, 0x00]), Err(RsaError::Der(_))));
        assert!(PublicKey::from_spki_der(&[0x30, 0x00]).is_err());
        assert!(matches!(PrivateKey::from_pkcs8_der(b"not a key"), Err(RsaError::Rejected(_))));
        assert!(matches!(
            PrivateKey::from_pem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"),
            Err(RsaError::Rejected(_))
        ));
        assert!(Certificate::from_pem(GO_PUBLIC_KEY).is_err());
        for text in
            ["", "-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----", "MIIB", "-----BEGIN CERTIFICATE-----"]
        {
            assert!(PublicKey::from_pem(text).is_err(), "{text}");
            assert!(PrivateKey::from_pem(text).is_err(), "{text}");
        }
        // A 512-bit key is refused when it is read, not when it first fails to verify.
        let small = [tlv(INTEGER, &[0xc0; 64]), tlv(INTEGER, &[1, 0, 1])].concat();
        assert!(matches!(PublicKey::from_pkcs1_der(&tlv(SEQUENCE, &small)), Err(RsaError::Rejected(_))));
    }

    #[test]
    fn pem_body_finds_the_labelled_block() {
        let pem = "junk\n-----BEGIN X-----\nAAEC\nAw==\n-----END X-----\n";
        assert_eq!(pem_body(pem, "X").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(pem_body(pem, "Y"), Err(RsaError::MissingPem("Y".to_owned())));
        assert_eq!(pem_body(GO_PUBLIC_KEY, "CERTIFICATE"), Err(RsaError::MissingPem("CERTIFICATE".to_owned())));
    }

    #[test]
    fn the_debug_form_of_a_private_key_hides_it() {
        assert_eq!(format!("{:?}", PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap()), "PrivateKey(***)");
        assert_eq!(format!("{:?}", PrivateKey::from_pem(APP_PRIVATE).unwrap()), "PrivateKey(***)");
    }
}
