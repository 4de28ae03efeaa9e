//! RSA keys of the payment channels and the one signature they all use: SHA256withRSA
//! (RSASSA-PKCS1-v1_5 with SHA-256), carried as base64. Signing goes through ring, whose private-key
//! operations are constant-time (the rsa crate's leak timing: RUSTSEC-2023-0071).
//!
//! Reading keys takes a little DER, done here by hand rather than with a crate: the
//! subjectPublicKeyInfo of a public key or a certificate, and a certificate's serial number. Only
//! configured keys and certificates are read this way, never what a request carries.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("no PEM block labelled {0}")]
    MissingPem(String),
    #[error("the PEM body is not base64")]
    Base64,
    #[error("malformed DER: {0}")]
    Der(&'static str),
    #[error("not an RSA key")]
    NotRsa,
    /// ring's reason: too short, inconsistent, not a key at all.
    #[error("RSA key rejected: {0}")]
    Rejected(String),
}

/// The decoded body of the first `-----BEGIN {label}-----` block in `pem`.
pub fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let missing = || KeyError::MissingPem(label.to_owned());
    let start = pem.find(&begin).ok_or_else(missing)? + begin.len();
    let len = pem[start..].find(&end).ok_or_else(missing)?;
    let body: String = pem[start..start + len].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(body).map_err(|_| KeyError::Base64)
}

/// A merchant's or app's private key. `Debug` prints `***`.
#[derive(Clone)]
pub struct PrivateKey {
    pair: Arc<RsaKeyPair>,
}

impl PrivateKey {
    /// PKCS#8 (`BEGIN PRIVATE KEY`, WeChat's `apiclient_key.pem`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            Self::from_pkcs1_der(&pem_body(pem, "RSA PRIVATE KEY")?)
        } else {
            Self::from_pkcs8_der(&pem_body(pem, "PRIVATE KEY")?)
        }
    }

    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| KeyError::Rejected(e.to_string()))?;
        Ok(PrivateKey { pair: Arc::new(pair) })
    }

    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let pair = RsaKeyPair::from_der(der).map_err(|e| KeyError::Rejected(e.to_string()))?;
        Ok(PrivateKey { pair: Arc::new(pair) })
    }

    /// base64 of the SHA256withRSA signature of `msg`. PKCS#1 v1.5 is deterministic: the same key
    /// and message always give the same signature.
    pub fn sign_sha256(&self, msg: impl AsRef<[u8]>) -> String {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        // Fails only when the buffer is not the modulus length (it is) or the OS has no randomness
        // for ring's blinding; neither depends on the input.
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), msg.as_ref(), &mut signature)
            .expect("RSA signing with a modulus-sized buffer");
        BASE64.encode(signature)
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey { pkcs1: self.pair.public().as_ref().to_vec().into() }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(***)")
    }
}

/// An RSA public key, kept as its PKCS#1 `RSAPublicKey` DER (what ring verifies with).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pkcs1: Arc<[u8]>,
}

impl PublicKey {
    /// `BEGIN PUBLIC KEY` (SPKI, WeChat's `pub_key.pem`), `BEGIN RSA PUBLIC KEY` (PKCS#1), or the
    /// bare base64 of an SPKI as Alipay's console hands it out.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
            Self::from_pkcs1_der(&pem_body(pem, "RSA PUBLIC KEY")?)
        } else if pem.contains("-----BEGIN") {
            Self::from_spki_der(&pem_body(pem, "PUBLIC KEY")?)
        } else {
            let body: String = pem.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            Self::from_spki_der(&BASE64.decode(body).map_err(|_| KeyError::Base64)?)
        }
    }

    /// A DER `SubjectPublicKeyInfo` with the rsaEncryption algorithm.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let mut outer = Der::new(der);
        let spki = outer.expect(SEQUENCE)?;
        outer.end()?;
        read_spki(spki)
    }

    /// A DER `RSAPublicKey { modulus, publicExponent }`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let mut outer = Der::new(der);
        let mut key = Der::new(outer.expect(SEQUENCE)?);
        outer.end()?;
        let modulus = unsigned(key.expect(INTEGER)?);
        key.expect(INTEGER)?;
        key.end()?;
        if modulus.len() < 256 {
            return Err(KeyError::Rejected("modulus shorter than 2048 bits".to_owned()));
        }
        Ok(PublicKey { pkcs1: der.into() })
    }

    /// Whether `signature_base64` is this key's SHA256withRSA signature of `msg`. A signature
    /// that is not base64 is simply not valid.
    pub fn verify_sha256(&self, msg: impl AsRef<[u8]>, signature_base64: &str) -> bool {
        let Ok(signature) = BASE64.decode(signature_base64.trim()) else { return false };
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.pkcs1)
            .verify(msg.as_ref(), &signature)
            .is_ok()
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
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_der(&pem_body(pem, "CERTIFICATE")?)
    }

    /// `Certificate { tbsCertificate { [0] version, serialNumber, signature, issuer, validity,
    /// subject, subjectPublicKeyInfo, … }, … }`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
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
/// 1.2.840.113549.1.1.1
const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// The contents of a `SubjectPublicKeyInfo { AlgorithmIdentifier, BIT STRING }`.
fn read_spki(contents: &[u8]) -> Result<PublicKey, KeyError> {
    let mut spki = Der::new(contents);
    let mut algorithm = Der::new(spki.expect(SEQUENCE)?);
    if algorithm.expect(OID)? != RSA_ENCRYPTION {
        return Err(KeyError::NotRsa);
    }
    if algorithm.peek() == Some(NULL) {
        algorithm.read()?;
    }
    algorithm.end()?;
    let bits = spki.expect(BIT_STRING)?;
    spki.end()?;
    match bits.split_first() {
        Some((0, key)) => PublicKey::from_pkcs1_der(key),
        _ => Err(KeyError::Der("a key's BIT STRING with unused bits")),
    }
}

/// An INTEGER's contents without its sign byte.
fn unsigned(integer: &[u8]) -> &[u8] {
    match integer {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => integer,
    }
}

/// A reader of consecutive DER elements (definite lengths, one-byte tags: all X.509 needs here).
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
    fn read(&mut self) -> Result<(u8, &'a [u8]), KeyError> {
        let [tag, first, rest @ ..] = self.input else { return Err(KeyError::Der("truncated element")) };
        let (len, rest) = match *first {
            short @ 0..=0x7F => (usize::from(short), rest),
            0x81..=0x84 => {
                let count = usize::from(first - 0x80);
                if rest.len() < count {
                    return Err(KeyError::Der("truncated length"));
                }
                let (bytes, rest) = rest.split_at(count);
                (bytes.iter().fold(0usize, |len, byte| (len << 8) | usize::from(*byte)), rest)
            }
            _ => return Err(KeyError::Der("unsupported length form")),
        };
        if rest.len() < len {
            return Err(KeyError::Der("element longer than its input"));
        }
        let (contents, rest) = rest.split_at(len);
        self.input = rest;
        Ok((*tag, contents))
    }

    fn expect(&mut self, tag: u8) -> Result<&'a [u8], KeyError> {
        match self.read()? {
            (found, contents) if found == tag => Ok(contents),
            _ => Err(KeyError::Der("unexpected element")),
        }
    }

    fn end(&self) -> Result<(), KeyError> {
        if self.input.is_empty() { Ok(()) } else { Err(KeyError::Der("trailing bytes")) }
    }
}

/// The public test vectors of WeChat Pay's official Go SDK, shared by this module's tests and the
/// WeChat Pay adapter's.
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

    #[test]
    fn signing_reproduces_the_wechatpay_go_sha256withrsa_vector() {
        let key = PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap();
        assert_eq!(key.sign_sha256("source"), GO_SIGNATURE_OF_SOURCE);
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
    fn a_bare_base64_spki_and_a_pkcs1_key_are_read_too() {
        let spki = pem_body(GO_PUBLIC_KEY, "PUBLIC KEY").unwrap();
        let bare = PublicKey::from_pem(&BASE64.encode(&spki)).unwrap();
        assert!(bare.verify_sha256("source", GO_SIGNATURE_OF_SOURCE));

        // PKCS#8 wraps the PKCS#1 key in an OCTET STRING after the version and algorithm.
        let pkcs8 = pem_body(GO_PRIVATE_KEY, "PRIVATE KEY").unwrap();
        let mut outer = Der::new(&pkcs8);
        let mut info = Der::new(outer.expect(SEQUENCE).unwrap());
        info.expect(INTEGER).unwrap();
        info.expect(SEQUENCE).unwrap();
        let pkcs1 = info.expect(0x04).unwrap();
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----", BASE64.encode(pkcs1));
        assert_eq!(PrivateKey::from_pem(&pem).unwrap().sign_sha256("source"), GO_SIGNATURE_OF_SOURCE);
    }

    #[test]
    fn what_is_not_an_rsa_key_is_refused_with_a_reason() {
        let ec = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDqDGhYHRpA6DP2OkVYn3z6PA5NvI
SVOsdWE+Z/T7vasBE5vjCEzJon5VO9ErabYnUWx11sMghedFVeMVWPeX8Q==
-----END PUBLIC KEY-----";
        assert_eq!(PublicKey::from_pem(ec), Err(KeyError::NotRsa));
        assert_eq!(pem_body(GO_PUBLIC_KEY, "CERTIFICATE"), Err(KeyError::MissingPem("CERTIFICATE".to_owned())));
        assert_eq!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"),
            Err(KeyError::Base64)
        );
        let truncated = &pem_body(GO_PUBLIC_KEY, "PUBLIC KEY").unwrap()[..100];
        assert!(matches!(PublicKey::from_spki_der(truncated), Err(KeyError::Der(_))));
        assert!(matches!(PrivateKey::from_pkcs8_der(b"not a key"), Err(KeyError::Rejected(_))));
        assert!(Certificate::from_pem(GO_PUBLIC_KEY).is_err());
    }

    #[test]
    fn the_debug_form_of_a_private_key_hides_it() {
        assert_eq!(format!("{:?}", PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap()), "PrivateKey(***)");
    }
}
