//! The moves a transfer list holds before they are saved, and what each pane shows of them.
//! Plain data, so that the rules are unit-tested without a browser.

use super::{Side, TransferItem};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How a row of a pane stands against the staged moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    /// On this side, saved.
    Saved,
    /// Staged to come into this side.
    Incoming,
    /// On this side, saved, but staged to leave it.
    Leaving,
}

/// Staged moves, by the side each item is moving into.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Staging {
    /// Moving into Assigned: to add.
    pub add: BTreeMap<Uuid, TransferItem>,
    /// Moving into Available: to remove.
    pub remove: BTreeMap<Uuid, TransferItem>,
}

impl Staging {
    pub fn moving_into(&self, side: Side) -> &BTreeMap<Uuid, TransferItem> {
        match side {
            Side::Assigned => &self.add,
            Side::Available => &self.remove,
        }
    }

    fn moving_into_mut(&mut self, side: Side) -> &mut BTreeMap<Uuid, TransferItem> {
        match side {
            Side::Assigned => &mut self.add,
            Side::Available => &mut self.remove,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }

    /// Moves items shown on side `from` to the other side. An item that was only staged into
    /// `from` goes back where it came from (the move is undone); anything else is staged to
    /// move out. Returns how many items changed.
    pub fn move_out(&mut self, from: Side, items: impl IntoIterator<Item = TransferItem>) -> usize {
        let mut n = 0;
        for item in items {
            n += 1;
            if self.moving_into_mut(from).remove(&item.id).is_none() {
                self.moving_into_mut(from.other()).insert(item.id, item);
            }
        }
        n
    }

    /// The mark of a row the server lists on `side`.
    pub fn mark(&self, side: Side, id: &Uuid) -> Mark {
        if self.moving_into(side.other()).contains_key(id) {
            Mark::Leaving
        } else {
            Mark::Saved
        }
    }

    /// Items staged into `side` whose name matches a pane's search (as the server matches:
    /// ignoring case), by name.
    pub fn incoming_matching(&self, side: Side, search: &str) -> Vec<TransferItem> {
        let needle = search.trim().to_lowercase();
        let mut items: Vec<TransferItem> = self
            .moving_into(side)
            .values()
            .filter(|i| needle.is_empty() || i.label.to_lowercase().contains(&needle))
            .cloned()
            .collect();
        // In the order the server lists names: natural, ignoring case (te2 before te10).
        items.sort_by_key(|i| model::text::sort_key(&i.label));
        items
    }

    /// A pane's count, in words: "6 assigned, 3 to add, 1 to remove", or "12 available".
    pub fn count_words(&self, side: Side, on_server: u64, searching: bool) -> String {
        let mut words = if searching {
            format!("{on_server} matching")
        } else {
            match side {
                Side::Assigned => format!("{on_server} assigned"),
                Side::Available => format!("{on_server} available"),
            }
        };
        if side == Side::Assigned {
            if !self.add.is_empty() {
                words.push_str(&format!(", {} to add", self.add.len()));
            }
            if !self.remove.is_empty() {
                words.push_str(&format!(", {} to remove", self.remove.len()));
            }
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str) -> TransferItem {
        TransferItem {
            id: Uuid::now_v7(),
            label: label.into(),
            detail: String::new(),
            elsewhere: String::new(),
        }
    }

    #[test]
    fn moving_back_undoes_a_staged_move() {
        let (a, b) = (item("a"), item("b"));
        let mut s = Staging::default();
        s.move_out(Side::Available, [a.clone(), b.clone()]);
        assert_eq!(s.add.len(), 2);
        assert_eq!(s.mark(Side::Available, &a.id), Mark::Leaving);
        // Taking one back out of Assigned cancels its add rather than staging a removal.
        s.move_out(Side::Assigned, [a.clone()]);
        assert_eq!(s.add.keys().collect::<Vec<_>>(), vec![&b.id]);
        assert!(s.remove.is_empty());
        assert_eq!(s.mark(Side::Available, &a.id), Mark::Saved);
    }

    #[test]
    fn a_saved_item_moved_out_is_staged_for_removal() {
        let a = item("a");
        let mut s = Staging::default();
        s.move_out(Side::Assigned, [a.clone()]);
        assert!(s.remove.contains_key(&a.id));
        assert_eq!(s.mark(Side::Assigned, &a.id), Mark::Leaving);
        assert_eq!(s.incoming_matching(Side::Available, "").len(), 1);
    }

    #[test]
    fn staged_items_follow_the_pane_search_ignoring_case() {
        let mut s = Staging::default();
        s.move_out(
            Side::Available,
            [item("Prod-EU"), item("staging"), item("prod-us")],
        );
        let found: Vec<String> = s
            .incoming_matching(Side::Assigned, "PROD")
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert_eq!(found, vec!["Prod-EU", "prod-us"]);
        assert_eq!(s.incoming_matching(Side::Assigned, "  ").len(), 3);
        assert!(s.incoming_matching(Side::Available, "").is_empty());
    }

    #[test]
    fn counts_say_what_waits() {
        let mut s = Staging::default();
        assert_eq!(s.count_words(Side::Assigned, 6, false), "6 assigned");
        s.move_out(Side::Available, [item("a"), item("b"), item("c")]);
        s.move_out(Side::Assigned, [item("d")]);
        assert_eq!(
            s.count_words(Side::Assigned, 6, false),
            "6 assigned, 3 to add, 1 to remove"
        );
        assert_eq!(s.count_words(Side::Available, 40, false), "40 available");
        assert_eq!(
            s.count_words(Side::Assigned, 2, true),
            "2 matching, 3 to add, 1 to remove"
        );
    }
}
