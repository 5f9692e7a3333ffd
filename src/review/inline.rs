//! Where two versions of a span's text differ, to show them inline: the common beginning and
//! end plain, the differing middle marked (a final period one version lacks becomes visible).

use unicode_segmentation::UnicodeSegmentation as _;

use crate::text::ByteRange;

/// Two versions of a text split into a common beginning, a differing middle and a common end.
/// The ranges are on grapheme boundaries (so on char boundaries): an accent or an emoji's
/// modifier is never cut from its base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlineDiff {
    /// The differing middle of the first text (empty when the second only adds).
    pub a: ByteRange,
    /// The differing middle of the second text.
    pub b: ByteRange,
}

impl InlineDiff {
    /// True when the two texts are the same.
    pub fn is_same(&self) -> bool {
        self.a.is_empty() && self.b.is_empty()
    }
}

/// Splits `a` and `b` into their common prefix, their differing middles and their common
/// suffix (the suffix never overlaps the prefix).
pub fn inline_diff(a: &str, b: &str) -> InlineDiff {
    let prefix: usize = a
        .graphemes(true)
        .zip(b.graphemes(true))
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len())
        .sum();
    let (rest_a, rest_b) = (a.get(prefix..).unwrap_or(""), b.get(prefix..).unwrap_or(""));
    let suffix: usize = rest_a
        .graphemes(true)
        .rev()
        .zip(rest_b.graphemes(true).rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len())
        .sum();
    InlineDiff {
        a: ByteRange::new(prefix, a.len() - suffix),
        b: ByteRange::new(prefix, b.len() - suffix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str, middle: ByteRange) -> (&str, &str, &str) {
        (
            &text[..middle.start],
            &text[middle.start..middle.end],
            &text[middle.end..],
        )
    }

    #[test]
    fn a_final_period_one_version_lacks_is_the_difference() {
        let (a, b) = ("la place Rouge.", "la place Rouge");
        let diff = inline_diff(a, b);
        assert_eq!(parts(a, diff.a), ("la place Rouge", ".", ""));
        assert_eq!(parts(b, diff.b), ("la place Rouge", "", ""));
        assert!(!diff.is_same());
    }

    #[test]
    fn a_different_start_leaves_the_common_end_plain() {
        let (a, b) = ("sur la place Rouge", "la place Rouge");
        let diff = inline_diff(a, b);
        assert_eq!(parts(a, diff.a), ("", "sur ", "la place Rouge"));
        assert_eq!(parts(b, diff.b), ("", "", "la place Rouge"));
    }

    #[test]
    fn equal_texts_have_no_difference() {
        let diff = inline_diff("Zoé 👍", "Zoé 👍");
        assert!(diff.is_same());
        assert_eq!(
            diff.a,
            ByteRange::new(9, 9),
            "the whole text is the common part"
        );
        assert!(inline_diff("", "").is_same());
    }

    #[test]
    fn accents_are_never_cut_from_their_letter() {
        // A precomposed é against e + combining acute: the whole letter differs.
        let (a, b) = ("Kyiv é.", "Kyiv e\u{301}.");
        let diff = inline_diff(a, b);
        assert_eq!(parts(a, diff.a), ("Kyiv ", "é", "."));
        assert_eq!(parts(b, diff.b), ("Kyiv ", "e\u{301}", "."));
        // A combining mark added to the last letter is marked with its letter.
        let diff = inline_diff("cafe", "cafe\u{301}");
        assert_eq!(parts("cafe", diff.a), ("caf", "e", ""));
        assert_eq!(parts("cafe\u{301}", diff.b), ("caf", "e\u{301}", ""));
    }

    #[test]
    fn emoji_and_their_modifiers_stay_whole() {
        let (a, b) = ("bravo 👍 !", "bravo 👍🏽 !");
        let diff = inline_diff(a, b);
        assert_eq!(parts(a, diff.a), ("bravo ", "👍", " !"));
        assert_eq!(parts(b, diff.b), ("bravo ", "👍🏽", " !"));
        // A family of three against a family of two: the whole cluster differs.
        let (a, b) = ("👨\u{200d}👩\u{200d}👧", "👨\u{200d}👩");
        let diff = inline_diff(a, b);
        assert_eq!(parts(a, diff.a), ("", a, ""));
        assert_eq!(parts(b, diff.b), ("", b, ""));
    }

    #[test]
    fn prefix_and_suffix_never_overlap() {
        // "aa" against "aaa": the common prefix takes "aa", the suffix cannot take it again.
        let diff = inline_diff("aa", "aaa");
        assert_eq!(diff.a, ByteRange::new(2, 2));
        assert_eq!(diff.b, ByteRange::new(2, 3));
        let diff = inline_diff("الكرملين نفى", "الكرملين نفى.");
        assert_eq!(diff.b.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn the_parts_put_back_together_give_the_texts(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let diff = inline_diff(&a, &b);
            proptest::prop_assert!(a.is_char_boundary(diff.a.start) && a.is_char_boundary(diff.a.end));
            proptest::prop_assert!(b.is_char_boundary(diff.b.start) && b.is_char_boundary(diff.b.end));
            proptest::prop_assert_eq!(&a[..diff.a.start], &b[..diff.b.start]);
            proptest::prop_assert_eq!(&a[diff.a.end..], &b[diff.b.end..]);
            proptest::prop_assert_eq!(diff.is_same(), a == b);
        }
    }
}
