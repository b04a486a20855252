//! The result of planning a change: the writes to apply in one batch. What
//! they change of the RBAC data is reloaded by `Cloud::commit`, derived from
//! the writes themselves.

use aksemu_store::Write;

#[derive(Default)]
pub struct Effects {
    pub writes: Vec<Write>,
}

impl Effects {
    pub fn extend(&mut self, other: Effects) {
        self.writes.extend(other.writes);
    }
}
