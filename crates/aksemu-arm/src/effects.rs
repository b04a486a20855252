//! The result of planning a change: writes to apply in one batch, and the
//! principals whose role assignments must be reloaded once it committed.

use std::collections::BTreeSet;

use aksemu_store::Write;

#[derive(Default)]
pub struct Effects {
    pub writes: Vec<Write>,
    pub reload: BTreeSet<String>,
}

impl Effects {
    pub fn extend(&mut self, other: Effects) {
        self.writes.extend(other.writes);
        self.reload.extend(other.reload);
    }
}
