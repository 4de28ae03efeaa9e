//! One-click unsubscribe links in email: a signed token naming the user and the kind of message,
//! so following the link needs no sign-in and cannot be forged for someone else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use linli_core::Id;
use sha2::Sha256;

use crate::Kind;

fn mac(key: &[u8; 32], body: &str) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    m.update(b"linli unsubscribe v1\0");
    m.update(body.as_bytes());
    URL_SAFE_NO_PAD.encode(&m.finalize().into_bytes()[..16])
}

pub fn token(key: &[u8; 32], user_id: Id, kind: Kind) -> String {
    let body = format!("{user_id}.{}", kind.as_str());
    format!("{body}.{}", mac(key, &body))
}

/// The user and kind a genuine token names.
pub fn verify(key: &[u8; 32], token: &str) -> Option<(Id, Kind)> {
    let (body, sig) = token.rsplit_once('.')?;
    let expected = mac(key, body);
    let same = expected.len() == sig.len() && expected.bytes().zip(sig.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0;
    if !same {
        return None;
    }
    let (user, kind) = body.split_once('.')?;
    Some((user.parse().ok()?, Kind::parse(kind)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_user_and_kind_and_cannot_be_altered() {
        let key = [9u8; 32];
        let t = token(&key, 42, Kind::BillIssued);
        assert_eq!(verify(&key, &t), Some((42, Kind::BillIssued)));
        assert_eq!(verify(&[8u8; 32], &t), None);
        let forged = t.replacen("42.", "43.", 1);
        assert_eq!(verify(&key, &forged), None);
    }
}
