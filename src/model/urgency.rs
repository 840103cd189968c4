//! How urgency is shown, the same on every screen and on paper: the most
//! urgent priority class in red and bold, the next in amber, the rest plain,
//! each named by the class's own name ("Urgent", "Soon", "Routine"). Problems
//! (late, not placed) are marked apart from this, so red always means
//! "urgent patient", never "something is wrong".

use super::Rules;

/// How prominently an item's priority is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// The most urgent class: red and bold, marked on paper.
    Most,
    /// The next class: amber.
    Next,
    /// Every other class, and a priority the rules do not know.
    Plain,
}

impl Urgency {
    /// The urgency of the priority class at `rank` (0 = most urgent).
    pub fn of_rank(rank: usize) -> Urgency {
        match rank {
            0 => Urgency::Most,
            1 => Urgency::Next,
            _ => Urgency::Plain,
        }
    }

    /// The urgency of an item of priority `priority` (an unknown class is plain).
    pub fn of(rules: &Rules, priority: &str) -> Urgency {
        match rules.priority(priority) {
            Some(_) => Urgency::of_rank(rules.priority_rank(priority)),
            None => Urgency::Plain,
        }
    }

    /// Its colour as RGB: darker on a light background (paper, the light
    /// theme) so it stays readable, lighter on a dark one.
    pub fn rgb(self, dark_background: bool) -> Option<[u8; 3]> {
        match (self, dark_background) {
            (Urgency::Most, false) => Some([185, 0, 0]),
            (Urgency::Most, true) => Some([255, 120, 120]),
            (Urgency::Next, false) => Some([150, 85, 0]),
            (Urgency::Next, true) => Some([245, 190, 80]),
            (Urgency::Plain, _) => None,
        }
    }

    /// Whether it is also shown in bold.
    pub fn bold(self) -> bool {
        self == Urgency::Most
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_most_urgent_classes_are_coloured_and_only_the_first_is_bold() {
        let rules = Rules::default();
        let [most, next, rest] = [0, 1, 2].map(|i| Urgency::of(&rules, &rules.priorities[i].name));
        assert_eq!((most, next, rest), (Urgency::Most, Urgency::Next, Urgency::Plain));
        assert_eq!(Urgency::of(&rules, "not a class"), Urgency::Plain);
        for dark in [false, true] {
            assert!(most.rgb(dark).is_some() && next.rgb(dark).is_some() && most.rgb(dark) != next.rgb(dark));
            assert_eq!(rest.rgb(dark), None);
        }
        assert!(most.bold() && !next.bold() && !rest.bold());
    }
}
