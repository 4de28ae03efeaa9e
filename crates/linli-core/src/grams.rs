//! The n-grams a text is found by (`search_grams`): a `q=` search reads the rows of its grams
//! instead of matching `LIKE '%q%'` against every row of a project. Chinese names are two or
//! three characters, below a trigram index's reach, so words keep their single characters and
//! pairs; digits are too few to tell rows apart in ones and twos, so runs of digits keep their
//! triples (a phone's 尾号 of four digits is two of them), and pairs with a letter beside them.
//!
//! A text containing `q` contains every gram of `q` (both sides are lowercased the same way), so
//! the grams only narrow the rows; the literal match still decides.

use std::collections::BTreeSet;

/// The grams of a stored text, each once.
pub fn grams(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = normal(text);
    let mut out = BTreeSet::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_ascii_digit() {
            out.insert(c.to_string());
        }
        if let Some(&d) = chars.get(i + 1)
            && !d.is_whitespace()
            && !(c.is_ascii_digit() && d.is_ascii_digit())
        {
            out.insert([c, d].iter().collect());
        }
        if let [a, b, c] = chars.get(i..i + 3).unwrap_or_default()
            && a.is_ascii_digit()
            && b.is_ascii_digit()
            && c.is_ascii_digit()
        {
            out.insert([*a, *b, *c].iter().collect());
        }
    }
    out
}

/// The grams a row containing `q` must have, the fewest that still narrow: its pairs and
/// triples, or the character itself when `q` is one. None when `q` has no gram (one or two
/// digits, only spaces): such a search matches nearly every row and is answered without them.
pub fn query_grams(q: &str) -> Option<Vec<String>> {
    let all = grams(q);
    let longer: Vec<String> = all.iter().filter(|g| g.chars().count() > 1).cloned().collect();
    let picked = if longer.is_empty() { all.into_iter().collect() } else { longer };
    (!picked.is_empty()).then_some(picked)
}

/// A person is found by a part of the name or of the phone.
pub fn of_person(name: &str, phone: Option<&str>) -> BTreeSet<String> {
    let mut out = grams(name);
    out.extend(grams(phone.unwrap_or_default()));
    out
}

/// A house is found by a part of its label, as the console writes it with the unit and without
/// (`1栋1单元702`, `1栋702`).
pub fn of_house(building: &str, unit: Option<&str>, number: &str) -> BTreeSet<String> {
    let mut out = grams(&format!("{building}{}{number}", unit.unwrap_or_default()));
    out.extend(grams(&format!("{building}{number}")));
    out
}

fn normal(text: &str) -> Vec<char> {
    text.chars().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn names_keep_characters_and_pairs_digits_keep_triples() {
        assert_eq!(grams("王小明"), set(&["王", "小", "明", "王小", "小明"]));
        assert_eq!(grams("13800"), set(&["138", "380", "800"]));
        assert_eq!(grams("1栋702"), set(&["栋", "1栋", "栋7", "702"]));
        assert_eq!(grams("Li Na"), set(&["l", "i", "n", "a", "li", "na"]));
    }

    #[test]
    fn a_query_asks_for_its_longest_grams_or_none() {
        assert_eq!(query_grams("王"), Some(vec!["王".to_owned()]));
        assert_eq!(query_grams("王伟"), Some(vec!["王伟".to_owned()]));
        assert_eq!(query_grams("1111"), Some(vec!["111".to_owned()]));
        assert_eq!(query_grams("12"), None);
        assert_eq!(query_grams("  "), None);
    }

    #[test]
    fn every_gram_of_a_query_is_a_gram_of_any_text_containing_it() {
        let texts = ["翠湖花园1栋1单元702", "张伟 13800001111", "Zhang Wei", "A座1203"];
        for t in texts {
            let all = grams(t);
            let chars: Vec<char> = t.chars().collect();
            for i in 0..chars.len() {
                for j in i + 1..=chars.len() {
                    let q: String = chars[i..j].iter().collect();
                    for g in query_grams(&q).unwrap_or_default() {
                        assert!(all.contains(&g), "{t:?} ∋ {q:?} but lacks its gram {g:?}");
                    }
                }
            }
        }
    }
}
