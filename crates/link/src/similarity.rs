//! How alike two names are: Jaro-Winkler over their keys and the share of tokens they have in
//! common.

/// The Jaro-Winkler similarity of two strings, 0 (nothing alike) to 1 (equal), over characters.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = vec![false; a.len()];
    let mut b_match = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && b[j] == *ca {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0;
    for (i, ca) in a.iter().enumerate() {
        if a_match[i] {
            while !b_match[k] {
                k += 1;
            }
            if *ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = to_f64(matches);
    let jaro =
        (m / to_f64(a.len()) + m / to_f64(b.len()) + (m - to_f64(transpositions) / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count();
    jaro + to_f64(prefix) * 0.1 * (1.0 - jaro)
}

/// Tokens both sets have over tokens either has (both sorted and without repeats).
pub fn jaccard(a: &[String], b: &[String]) -> f64 {
    let common = common(a, b);
    let union = a.len() + b.len() - common;
    if union == 0 {
        return 0.0;
    }
    to_f64(common) / to_f64(union)
}

/// Tokens both sets have over the tokens of the smaller set: 1 when one name is the other with
/// words added ("Kulturhaus Karlshorst, Großer Saal" and "Kulturhaus Karlshorst").
pub fn overlap(a: &[String], b: &[String]) -> f64 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    to_f64(common(a, b)) / to_f64(smaller)
}

/// How many tokens two sorted token lists share.
pub fn common(a: &[String], b: &[String]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[expect(
    clippy::cast_precision_loss,
    reason = "counts of characters and tokens are small"
)]
fn to_f64(n: usize) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        let mut t: Vec<String> = s.split(' ').map(str::to_owned).collect();
        t.sort();
        t
    }

    #[test]
    fn jaro_winkler_known_values() {
        // The textbook pairs (Winkler 1990).
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
    }

    #[test]
    fn token_measures() {
        let a = tokens("karlshorst kulturhaus");
        let b = tokens("gross karlshorst kulturhaus saal");
        assert_eq!(jaccard(&a, &b), 0.5);
        assert_eq!(overlap(&a, &b), 1.0);
        assert_eq!(jaccard(&a, &tokens("galerie")), 0.0);
    }
}
