//! AEAD_AES_256_GCM, how WeChat Pay encrypts a callback's `resource`: AES-GCM with the merchant's
//! APIv3 key (32 ASCII characters, used as its bytes), the resource's 12-character `nonce` as IV and
//! its `associated_data` as AAD; `ciphertext` is base64 of the encrypted bytes followed by the
//! 16-byte tag.
//!
//! The primitives also take a 16-byte key (AES-128-GCM), as WeChat's Go SDK does: its published
//! test vector uses one. An [`ApiV3Key`] is always 32 bytes, as WeChat issues them.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::WechatPayError;
use crate::pay::Secret;

/// The `resource.algorithm` WeChat Pay uses.
pub const ALGORITHM: &str = "AEAD_AES_256_GCM";
const NONCE_LEN: usize = 12;

/// The merchant's APIv3 key (APIv3密钥). `Debug` prints `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiV3Key(Secret);

impl ApiV3Key {
    pub fn new(key: impl Into<String>) -> Result<Self, WechatPayError> {
        let key = key.into();
        if key.len() != 32 || !key.is_ascii() {
            return Err(WechatPayError::Config("the APIv3 key must be 32 ASCII characters".to_owned()));
        }
        Ok(ApiV3Key(Secret::new(key)))
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.expose().as_bytes()
    }
}

/// Decrypts and authenticates one resource; `key` is 32 bytes (or 16, see the module comment).
pub fn decrypt(
    key: &[u8],
    nonce: &[u8],
    associated_data: &[u8],
    ciphertext_base64: &str,
) -> Result<Vec<u8>, WechatPayError> {
    let sealed = BASE64.decode(ciphertext_base64).map_err(|_| WechatPayError::Decrypt("ciphertext is not base64"))?;
    let nonce = nonce_of(nonce)?;
    let payload = Payload { msg: &sealed, aad: associated_data };
    let opened = match key.len() {
        32 => Aes256Gcm::new_from_slice(key).ok().and_then(|c| c.decrypt(nonce, payload).ok()),
        16 => Aes128Gcm::new_from_slice(key).ok().and_then(|c| c.decrypt(nonce, payload).ok()),
        _ => return Err(WechatPayError::Decrypt("the key must be 32 (or 16) bytes")),
    };
    opened.ok_or(WechatPayError::Decrypt("the tag does not match: wrong key, nonce or associated data"))
}

/// Encrypts one resource, as WeChat Pay does for a callback (the simulator); base64 out.
pub fn encrypt(key: &[u8], nonce: &[u8], associated_data: &[u8], plaintext: &[u8]) -> Result<String, WechatPayError> {
    let nonce = nonce_of(nonce)?;
    let payload = Payload { msg: plaintext, aad: associated_data };
    let sealed = match key.len() {
        32 => Aes256Gcm::new_from_slice(key).ok().and_then(|c| c.encrypt(nonce, payload).ok()),
        16 => Aes128Gcm::new_from_slice(key).ok().and_then(|c| c.encrypt(nonce, payload).ok()),
        _ => return Err(WechatPayError::Decrypt("the key must be 32 (or 16) bytes")),
    };
    sealed.map(|bytes| BASE64.encode(bytes)).ok_or(WechatPayError::Decrypt("encryption failed"))
}

fn nonce_of(nonce: &[u8]) -> Result<&Nonce<aes_gcm::aead::consts::U12>, WechatPayError> {
    if nonce.len() == NONCE_LEN {
        Ok(Nonce::from_slice(nonce))
    } else {
        Err(WechatPayError::Decrypt("the nonce must be 12 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `wechatpay-apiv3/wechatpay-go`, `utils/aes_test.go`: every case of `TestDecryptAes256Gcm`.
    /// Its key `testAPIv3Key0000` is 16 bytes, so this runs AES-128-GCM.
    #[test]
    fn decryption_reproduces_the_wechatpay_go_vector_and_its_failures() {
        let (key, ad, nonce) = (b"testAPIv3Key0000", b"Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8", b"wCq51qZv4Yfg");
        let ciphertext = "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC";
        assert_eq!(decrypt(key, nonce, ad, ciphertext).unwrap(), b"Hello World");
        assert_eq!(decrypt(key, nonce, ad, "invalid cipher"), Err(WechatPayError::Decrypt("ciphertext is not base64")));
        assert!(decrypt(key, nonce, ad, "SGVsbG8gV29ybGQK").is_err(), "too short to hold a tag");
        assert!(decrypt(b"not a aes key", nonce, ad, ciphertext).is_err());
        assert!(decrypt(b"testAPIv3Key1111", nonce, ad, ciphertext).is_err(), "wrong key");
        assert!(decrypt(key, nonce, b"transaction", ciphertext).is_err(), "wrong associated data");
        assert!(decrypt(key, b"wCq51qZv4Yfh", ad, ciphertext).is_err(), "wrong nonce");
        assert!(decrypt(key, b"short", ad, ciphertext).is_err());
    }

    /// AES-256-GCM from "The Galois/Counter Mode of Operation (GCM)" (McGrew and Viega, the test
    /// cases NIST's GCM validation reuses), Test Case 16: 256-bit key, 96-bit IV, with AAD. The
    /// expected value is C followed by T, in base64.
    #[test]
    fn aes_256_gcm_reproduces_the_gcm_specifications_test_case_16() {
        let key = hex::decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308").unwrap();
        let iv = hex::decode("cafebabefacedbaddecaf888").unwrap();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
        let plaintext = hex::decode(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525\
             b16aedf5aa0de657ba637b39",
        )
        .unwrap();
        let sealed = BASE64.encode(
            hex::decode(
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838\
                 c5f61e6393ba7a0abcc9f662\
                 76fc6ece0f4e1768cddf8853bb2d551b",
            )
            .unwrap(),
        );
        assert_eq!(encrypt(&key, &iv, &aad, &plaintext).unwrap(), sealed);
        assert_eq!(decrypt(&key, &iv, &aad, &sealed).unwrap(), plaintext);
    }

    #[test]
    fn a_resource_encrypted_with_an_apiv3_key_opens_only_with_its_nonce_and_associated_data() {
        let key = ApiV3Key::new("LinliTestApiV3Key000000000000001").unwrap();
        let sealed = encrypt(key.as_bytes(), b"0123456789ab", b"transaction", br#"{"trade_state":"SUCCESS"}"#).unwrap();
        assert_eq!(
            decrypt(key.as_bytes(), b"0123456789ab", b"transaction", &sealed).unwrap(),
            br#"{"trade_state":"SUCCESS"}"#
        );
        assert!(decrypt(key.as_bytes(), b"0123456789ab", b"refund", &sealed).is_err());
        assert!(decrypt(key.as_bytes(), b"0123456789ab", b"", &sealed).is_err());
    }

    #[test]
    fn an_apiv3_key_is_32_ascii_characters_and_stays_out_of_debug_output() {
        assert!(ApiV3Key::new("testAPIv3Key0000").is_err());
        assert!(ApiV3Key::new("密钥密钥密钥密钥密钥ab").is_err(), "32 bytes, not ASCII");
        let key = ApiV3Key::new("LinliTestApiV3Key000000000000001").unwrap();
        assert_eq!(format!("{key:?}"), "ApiV3Key(***)");
    }
}
