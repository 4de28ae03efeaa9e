//! Identity documents: which kinds there are and how each number is checked.

use linli_core::text_enum;

text_enum! {
    IdType {
        /// 居民身份证, 18 characters with an ISO 7064 MOD 11-2 check character.
        ResidentIdCard = "resident_id_card",
        /// 护照.
        Passport = "passport",
        /// 港澳居民来往内地通行证 (回乡证): H or M and 8 or 10 digits.
        HkMacauPermit = "hk_macau_permit",
        /// 台湾居民来往大陆通行证 (台胞证): 8 digits.
        TaiwanPermit = "taiwan_permit",
        /// 外国人永久居留身份证.
        ForeignerPermit = "foreigner_permit",
        /// 统一社会信用代码 for organisations: 18 characters with a check character (GB 32100).
        CreditCode = "credit_code",
        Other = "other",
    }
}

/// Upper case without spaces: the form stored, indexed and compared.
pub fn normalize(number: &str) -> String {
    number.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

/// Checks a normalized number; answers the field error code when it is wrong.
pub fn check(kind: IdType, n: &str) -> Result<(), &'static str> {
    let ok = match kind {
        IdType::ResidentIdCard => return resident_id(n),
        IdType::Passport => (5..=20).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric()),
        IdType::HkMacauPermit => {
            let digits = &n[1.min(n.len())..];
            (n.starts_with('H') || n.starts_with('M'))
                && (digits.len() == 8 || digits.len() == 10)
                && digits.chars().all(|c| c.is_ascii_digit())
        }
        IdType::TaiwanPermit => n.len() == 8 && n.chars().all(|c| c.is_ascii_digit()),
        IdType::ForeignerPermit => (15..=18).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric()),
        IdType::CreditCode => return credit_code(n),
        IdType::Other => (1..=40).contains(&n.chars().count()),
    };
    if ok { Ok(()) } else { Err("id_type_mismatch") }
}

fn resident_id(n: &str) -> Result<(), &'static str> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err("id_type_mismatch");
    }
    let year: u32 = n[6..10].parse().unwrap_or(0);
    let month: u32 = n[10..12].parse().unwrap_or(0);
    let day: u32 = n[12..14].parse().unwrap_or(0);
    if !(1900..=2100).contains(&year) || chrono::NaiveDate::from_ymd_opt(year as i32, month, day).is_none() {
        return Err("invalid_birth_date");
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    if CHECK[(sum % 11) as usize] == b[17] { Ok(()) } else { Err("invalid_checksum") }
}

fn credit_code(n: &str) -> Result<(), &'static str> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let values: Option<Vec<usize>> = n.chars().map(|c| ALPHABET.find(c)).collect();
    let Some(v) = values.filter(|v| v.len() == 18) else { return Err("id_type_mismatch") };
    let sum: usize = v[..17].iter().zip(WEIGHTS).map(|(a, w)| a * w).sum();
    let expected = (31 - sum % 31) % 31;
    if v[17] == expected { Ok(()) } else { Err("invalid_checksum") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_numbers_are_checked_by_iso_7064() {
        // The check characters below were computed by hand from the MOD 11-2 weights.
        assert_eq!(check(IdType::ResidentIdCard, "11010519491231002X"), Ok(()));
        assert_eq!(check(IdType::ResidentIdCard, "110101199003074477"), Ok(()));
        assert_eq!(check(IdType::ResidentIdCard, "110101199003074478"), Err("invalid_checksum"));
        assert_eq!(check(IdType::ResidentIdCard, "110101199002304477"), Err("invalid_birth_date"));
        assert_eq!(check(IdType::ResidentIdCard, "11010119900307447"), Err("id_type_mismatch"));
        assert_eq!(check(IdType::ResidentIdCard, &normalize(" 11010519491231002x ")), Ok(()));
    }

    #[test]
    fn credit_codes_are_checked_by_gb_32100() {
        assert_eq!(check(IdType::CreditCode, "91350100M000100Y43"), Ok(()));
        assert_eq!(check(IdType::CreditCode, "91350100M000100Y44"), Err("invalid_checksum"));
        assert_eq!(check(IdType::CreditCode, "91350100M000100Y4"), Err("id_type_mismatch"));
    }

    #[test]
    fn permits_and_passports_have_their_shapes() {
        assert_eq!(check(IdType::HkMacauPermit, "H12345678"), Ok(()));
        assert_eq!(check(IdType::HkMacauPermit, "X12345678"), Err("id_type_mismatch"));
        assert_eq!(check(IdType::TaiwanPermit, "12345678"), Ok(()));
        assert_eq!(check(IdType::Passport, "E12345678"), Ok(()));
        assert_eq!(check(IdType::Passport, "E1"), Err("id_type_mismatch"));
    }
}
