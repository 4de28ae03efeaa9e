//! Personal data at rest: ID numbers and bank accounts are stored encrypted (AES-256-GCM with a
//! random nonce per value), found by exact value through a keyed hash (HMAC-SHA256 "blind
//! index"), and shown masked. Both keys are derived from one master key (HKDF-SHA256), which comes
//! from configuration and never from the database.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use linli_core::{Error, Result};
use sha2::Sha256;

/// Version prefix of stored ciphertexts, so keys or algorithms can be rotated later.
const V1: &str = "v1:";

pub struct PiiCipher {
    aead: Aes256Gcm,
    index_key: [u8; 32],
}

impl std::fmt::Debug for PiiCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiCipher(<keys>)")
    }
}

impl PiiCipher {
    pub fn from_master_key(master: &[u8; 32]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"linli"), master);
        let mut enc = [0u8; 32];
        let mut index_key = [0u8; 32];
        hk.expand(b"linli pii encryption v1", &mut enc).expect("32 bytes is a valid HKDF length");
        hk.expand(b"linli pii blind index v1", &mut index_key).expect("32 bytes is a valid HKDF length");
        Self { aead: Aes256Gcm::new_from_slice(&enc).expect("32-byte key"), index_key }
    }

    /// `field` is bound into the ciphertext (as associated data), so a value cannot be moved
    /// from one column to another unnoticed.
    pub fn encrypt(&self, field: &str, plain: &str) -> Result<String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| Error::internal(format!("random nonce: {e}")))?;
        let ct = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: field.as_bytes() })
            .map_err(|_| Error::internal("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("{V1}{}", STANDARD.encode(out)))
    }

    pub fn decrypt(&self, field: &str, stored: &str) -> Result<String> {
        let b64 = stored.strip_prefix(V1).ok_or_else(|| Error::internal("unknown ciphertext version"))?;
        let raw = STANDARD.decode(b64).map_err(|_| Error::internal("ciphertext is not base64"))?;
        if raw.len() < 12 + 16 {
            return Err(Error::internal("ciphertext too short"));
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: field.as_bytes() })
            .map_err(|_| Error::internal("ciphertext does not authenticate (wrong key?)"))?;
        String::from_utf8(plain).map_err(|_| Error::internal("plaintext is not UTF-8"))
    }

    /// The keyed hash that finds a value by exact match without storing it.
    pub fn blind_index(&self, field: &str, normalized: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key).expect("any key length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// `110101199003071234` → `110101********1234`; shorter values keep their first and last two.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let (head, tail) = if chars.len() >= 15 {
        (6, 4)
    } else if chars.len() >= 8 {
        (2, 2)
    } else {
        (1, 1)
    };
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(byte: u8) -> PiiCipher {
        PiiCipher::from_master_key(&[byte; 32])
    }

    #[test]
    fn encryption_round_trips_with_a_fresh_nonce_and_hides_the_value() {
        let c = cipher(7);
        let a = c.encrypt("id_number", "11010519491231002X").unwrap();
        let b = c.encrypt("id_number", "11010519491231002X").unwrap();
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.contains("1101051949"));
        assert_eq!(c.decrypt("id_number", &a).unwrap(), "11010519491231002X");
    }

    #[test]
    fn a_wrong_key_or_a_moved_value_does_not_decrypt() {
        let a = cipher(7).encrypt("id_number", "11010519491231002X").unwrap();
        assert!(cipher(8).decrypt("id_number", &a).is_err());
        assert!(cipher(7).decrypt("bank_account", &a).is_err());
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert!(cipher(7).decrypt("id_number", &tampered).is_err());
    }

    #[test]
    fn the_blind_index_is_stable_per_key_and_field() {
        let c = cipher(7);
        assert_eq!(c.blind_index("id_number", "X1"), c.blind_index("id_number", "X1"));
        assert_ne!(c.blind_index("id_number", "X1"), c.blind_index("bank_account", "X1"));
        assert_ne!(c.blind_index("id_number", "X1"), cipher(8).blind_index("id_number", "X1"));
    }

    #[test]
    fn masks_keep_the_region_and_the_last_four() {
        assert_eq!(mask("110101199003071234"), "110101********1234");
        assert_eq!(mask("E12345678"), "E1*****78");
        assert_eq!(mask("6222020200112233445"), "622202*********3445");
        assert_eq!(mask("123"), "1*3");
    }
}
