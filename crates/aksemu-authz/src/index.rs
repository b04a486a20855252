//! The caller-indexed view of role assignments the gate evaluates against. The
//! store is the source of truth; this index is rebuilt from it at start and a
//! principal's entry is reloaded after every change to its assignments.
//!
//! It is compact, so that 100,000 assignments fit in a few MiB and the data a
//! decision reads stays in cache: every principal's assignments are one range of
//! a single vector of 16-byte entries; scope keys are stored once, back to back,
//! in one arena the entries point into; principal ids (GUIDs) are kept inline in
//! the map. Names and effective windows live in vectors beside the entries, read
//! only to explain or when a window exists. Deciding allocates nothing;
//! explanations are built only for denials.

use std::collections::HashMap;
use std::sync::Arc;

use aksemu_core::ResourceId;
use serde_json::{Value, json};

use crate::assignment::Assignment;
use crate::compiled::CompiledRole;
use crate::role::{ActionKind, RoleDefinition, role_guid};

/// What the scan reads of an assignment: its scope's length (high 8 bits; 255
/// for 255 and longer) and the scope's last 3 bytes (low 24), so a candidate is
/// matched against the target's prefixes without touching the scope string
/// (then confirmed by comparing it). Four bytes, so a principal's filters share
/// one or two cache lines.
type Filter = u32;

const LONG: usize = 255;

fn filter(key: &[u8]) -> Filter {
    let len = key.len();
    ((len.min(LONG) as u32) << 24) | ((tail(key, len) >> 40) as u32)
}

/// The rest of an assignment, read for candidates only.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Offset of the scope key in the arena.
    scope: u32,
    scope_len: u16,
    role: u16,
}

const ALWAYS: (i64, i64) = (i64::MIN, i64::MAX);

/// Fx-style hashing for lookups on the decision path: keys are GUIDs and ids the
/// server generated, and SipHash's flood resistance cost more than the rest of a
/// decision.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0 ^ w).wrapping_mul(K).rotate_left(26);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0 ^ b as u64).wrapping_mul(K).rotate_left(26);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

fn fx(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

/// Strings stored once, shared by the lookup map and the numbered list (role ids).
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Arc<str>, u32>,
    values: Vec<Arc<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.values.len() as u32;
        let shared: Arc<str> = Arc::from(s);
        self.ids.insert(shared.clone(), i);
        self.values.push(shared);
        i
    }

    fn get(&self, i: u32) -> &str {
        self.values
            .get(i as usize)
            .map(|b| &**b)
            .unwrap_or_default()
    }
}

/// Scope keys, each stored once as `[len: u16][bytes]` in one buffer; a scope is
/// named by the offset of its bytes. Interning goes through a map from the key's
/// hash to the first offset with that hash, with a chain for the (rare) equal hashes.
#[derive(Debug, Default)]
struct ScopeArena {
    bytes: Vec<u8>,
    heads: HashMap<u64, u32, FxBuild>,
    chain: HashMap<u32, u32, FxBuild>,
}

impl ScopeArena {
    fn intern(&mut self, s: &str) -> u32 {
        let h = fx(s);
        let mut cur = self.heads.get(&h).copied();
        while let Some(off) = cur {
            if self.get(off) == s {
                return off;
            }
            cur = self.chain.get(&off).copied();
        }
        let len = s.len().min(u16::MAX as usize);
        self.bytes.extend_from_slice(&(len as u16).to_le_bytes());
        let off = self.bytes.len() as u32;
        self.bytes.extend_from_slice(&s.as_bytes()[..len]);
        if let Some(prev) = self.heads.insert(h, off) {
            self.chain.insert(off, prev);
        }
        off
    }

    #[inline]
    fn bytes(&self, off: u32, len: usize) -> &[u8] {
        let off = off as usize;
        self.bytes.get(off..off + len).unwrap_or_default()
    }

    fn get(&self, off: u32) -> &str {
        let o = off as usize;
        let len = match self.bytes.get(o.wrapping_sub(2)..o) {
            Some(&[a, b]) => u16::from_le_bytes([a, b]) as usize,
            _ => 0,
        };
        std::str::from_utf8(self.bytes(off, len)).unwrap_or_default()
    }

    fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.heads.shrink_to_fit();
        self.chain.shrink_to_fit();
    }
}

/// Principal ids are GUIDs (Entra object ids): kept as 128-bit numbers, they
/// hash and compare inline in the map without reading a string elsewhere in
/// memory. Anything else is kept by its lower-cased text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalKey {
    Guid(u128),
    Other(Box<str>),
}

/// Hex digit values; 0xFF for anything else.
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Where the 32 hex digits of `8-4-4-4-12` are.
const DIGITS: [usize; 32] = {
    let mut d = [0usize; 32];
    let (mut i, mut n) = (0, 0);
    while i < 36 {
        if !(i == 8 || i == 13 || i == 18 || i == 23) {
            d[n] = i;
            n += 1;
        }
        i += 1;
    }
    d
};

#[inline]
fn parse_guid(b: &[u8]) -> Option<u128> {
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    // Two halves, so the two chains of shifts run side by side.
    let (mut hi, mut lo) = (0u64, 0u64);
    let mut bad = 0u8;
    for k in 0..16 {
        let (h, l) = (HEX[b[DIGITS[k]] as usize], HEX[b[DIGITS[k + 16]] as usize]);
        bad |= h | l;
        hi = (hi << 4) | (h & 0x0f) as u64;
        lo = (lo << 4) | (l & 0x0f) as u64;
    }
    (bad & 0xf0 == 0).then_some(((hi as u128) << 64) | lo as u128)
}

impl std::hash::Hash for PrincipalKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            // GUIDs are random: folding the halves is hash enough.
            PrincipalKey::Guid(v) => state.write_u64(*v as u64 ^ (*v >> 64) as u64),
            PrincipalKey::Other(s) => state.write(s.as_bytes()),
        }
    }
}

impl PrincipalKey {
    #[inline]
    fn of(id: &str) -> Self {
        match parse_guid(id.as_bytes()) {
            Some(v) => PrincipalKey::Guid(v),
            None => PrincipalKey::Other(lower(id).into()),
        }
    }
}

/// A principal's assignments: `entries[start..start + len]` (and the same range
/// of `names` and `windows`).
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

#[derive(Debug, Default)]
pub struct AssignmentIndex {
    /// Normalised scope keys; `scope_ids` keeps the original casing where it differs.
    scopes: ScopeArena,
    scope_ids: HashMap<u32, Box<str>>,
    /// Role definition GUIDs (lower case), and each one's definition as last
    /// resolved (`resolve_roles`): decisions read it by number.
    roles: Interner,
    role_defs: Vec<Option<RoleDefinition>>,
    compiled: Vec<Option<CompiledRole>>,
    by_principal: HashMap<PrincipalKey, Span, FxBuild>,
    filters: Vec<Filter>,
    entries: Vec<Entry>,
    names: Vec<[u8; 16]>,
    /// Effective windows, allocated only once some assignment has one.
    windows: Option<Vec<(i64, i64)>>,
    /// Entries no principal's span covers any more (replaced ones); compacted
    /// away when they outnumber the live ones.
    garbage: usize,
}

/// The assignments (at most 64) whose scope may contain `target`, as a bit set:
/// the target has a `/` (or ends) right after the scope's length and shares the
/// scope's last 3 bytes there. Computed without branches, so the scan does not
/// pay a misprediction per assignment; candidates are then confirmed exactly.
#[inline]
fn candidates(filters: &[Filter], target: &[u8]) -> u64 {
    let blen = target.len();
    if blen < 8 {
        // Only the root and short scopes could contain it: the exact check decides.
        return filters
            .iter()
            .enumerate()
            .fold(0, |m, (i, _)| m | (1u64 << i));
    }
    let mut mask = 0u64;
    for (i, &f) in filters.iter().enumerate() {
        let len = (f >> 24) as usize;
        let l = len.clamp(8, blen);
        let sep = if l < blen { target[l] } else { b'/' };
        let mut w = [0u8; 8];
        w.copy_from_slice(&target[l - 8..l]);
        let hit = (len <= blen)
            & (sep == b'/')
            & ((u64::from_le_bytes(w) >> 40) as u32 == (f & 0x00ff_ffff));
        // The root and very long scopes are always confirmed exactly.
        mask |= ((hit | (len < 8) | (len == LONG)) as u64) << i;
    }
    mask
}

/// The last 8 bytes of `s[..len]` (zero-padded on the left when shorter).
#[inline]
fn tail(s: &[u8], len: usize) -> u64 {
    if len >= 8 {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(&s[len - 8..len]);
        return u64::from_le_bytes(buf);
    }
    s[..len].iter().fold(0u64, |acc, &b| (acc << 8) | b as u64) << (8 * (8 - len) as u32 % 64)
}

/// `target` is `scope` or lies below it (both normalised keys).
fn within(target: &str, scope: &str) -> bool {
    scope == "/"
        || target == scope
        || (target.len() > scope.len()
            && target.as_bytes()[scope.len()] == b'/'
            && target.starts_with(scope))
}

fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl AssignmentIndex {
    pub fn from_assignments(all: impl IntoIterator<Item = Assignment>) -> Self {
        let mut index = Self::default();
        let mut grouped: HashMap<PrincipalKey, Vec<Assignment>, FxBuild> = HashMap::default();
        for a in all {
            grouped
                .entry(PrincipalKey::of(&a.principal_id))
                .or_default()
                .push(a);
        }
        for (key, list) in grouped {
            index.append(key, &list);
        }
        index.entries.shrink_to_fit();
        index.names.shrink_to_fit();
        index.scopes.shrink();
        index
    }

    fn entry(&mut self, a: &Assignment) -> (Filter, Entry, [u8; 16]) {
        let key = a.scope.key();
        let scope = self.scopes.intern(key);
        if a.scope.as_str() != key {
            self.scope_ids.insert(scope, a.scope.as_str().into());
        }
        let name =
            a.id.rsplit('/')
                .next()
                .and_then(|n| uuid::Uuid::parse_str(n).ok())
                .unwrap_or_default();
        let entry = Entry {
            scope,
            scope_len: key.len().min(u16::MAX as usize) as u16,
            role: self.roles.intern(&role_guid(&a.role_definition_id)) as u16,
        };
        (filter(key.as_bytes()), entry, *name.as_bytes())
    }

    /// Appends a principal's assignments as a new span.
    fn append(&mut self, key: PrincipalKey, list: &[Assignment]) {
        let start = self.entries.len() as u32;
        for a in list {
            let (f, e, name) = self.entry(a);
            if let Some(w) = a.window {
                let n = self.entries.len();
                self.windows.get_or_insert_with(|| vec![ALWAYS; n]).push(w);
            } else if let Some(ws) = &mut self.windows {
                ws.push(ALWAYS);
            }
            self.filters.push(f);
            self.entries.push(e);
            self.names.push(name);
        }
        let span = Span {
            start,
            len: list.len() as u32,
        };
        if let Some(old) = self.by_principal.insert(key, span) {
            self.garbage += old.len as usize;
        }
    }

    /// Looks every role the assignments name up again (at build, after
    /// assignments name a new role, after custom roles change). A role that is
    /// not found grants nothing.
    pub fn resolve_roles(&mut self, resolve: impl Fn(&str) -> Option<RoleDefinition>) {
        self.role_defs = self.roles.values.iter().map(|g| resolve(g)).collect();
        self.compiled = self
            .role_defs
            .iter()
            .map(|r| r.as_ref().map(CompiledRole::new))
            .collect();
    }

    #[inline]
    fn role(&self, n: u16) -> Option<&RoleDefinition> {
        self.role_defs.get(n as usize).and_then(Option::as_ref)
    }

    /// Replaces one principal's assignments (after a change in the store).
    pub fn replace(&mut self, principal_id: &str, assignments: Vec<Assignment>) {
        let key = PrincipalKey::of(principal_id);
        if assignments.is_empty() {
            if let Some(old) = self.by_principal.remove(&key) {
                self.garbage += old.len as usize;
            }
        } else {
            self.append(key, &assignments);
        }
        if self.garbage > 64 && self.garbage * 2 > self.entries.len() {
            self.compact();
        }
    }

    /// Drops the entries no span covers.
    fn compact(&mut self) {
        let mut filters = Vec::with_capacity(self.entries.len() - self.garbage);
        let mut entries = Vec::with_capacity(filters.capacity());
        let mut names = Vec::with_capacity(entries.capacity());
        let mut windows = self
            .windows
            .as_ref()
            .map(|_| Vec::with_capacity(entries.capacity()));
        for span in self.by_principal.values_mut() {
            let r = span.range();
            let start = entries.len() as u32;
            filters.extend_from_slice(&self.filters[r.clone()]);
            entries.extend_from_slice(&self.entries[r.clone()]);
            names.extend_from_slice(&self.names[r.clone()]);
            if let (Some(new), Some(old)) = (&mut windows, &self.windows) {
                new.extend_from_slice(&old[r]);
            }
            span.start = start;
        }
        self.filters = filters;
        self.entries = entries;
        self.names = names;
        self.windows = windows;
        self.garbage = 0;
    }

    #[inline]
    fn span(&self, principal_id: &str) -> Option<Span> {
        self.by_principal
            .get(&PrincipalKey::of(principal_id))
            .copied()
    }

    fn window(&self, i: usize) -> (i64, i64) {
        self.windows
            .as_ref()
            .and_then(|w| w.get(i).copied())
            .unwrap_or(ALWAYS)
    }

    /// Each entry of the principal with its name and effective window.
    fn named(&self, principal_id: &str) -> Vec<(Entry, [u8; 16], (i64, i64))> {
        self.span(principal_id)
            .map(|s| {
                s.range()
                    .map(|i| (self.entries[i], self.names[i], self.window(i)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether one of the principal's assignments at `target` or above grants
    /// `action` at virtual time `now` (unix seconds). `target` is a normalised
    /// scope key.
    pub fn allows(&self, principal_id: &str, action: &str, target: &str, now: i64) -> bool {
        self.allows_kind(principal_id, action, target, now, ActionKind::Control)
    }

    /// Whether the principal's assignments grant `action` of `kind` at
    /// `target` at cloud time `now` (data actions: by the roles'
    /// `dataActions` minus `notDataActions`, with the same scopes and windows).
    #[inline]
    pub fn allows_kind(
        &self,
        principal_id: &str,
        action: &str,
        target: &str,
        now: i64,
        kind: ActionKind,
    ) -> bool {
        let bytes = target.as_bytes();
        // Read the target's cache lines now: the loads then overlap the principal
        // lookup instead of waiting behind it (the scan needs the lookup first).
        std::hint::black_box((
            bytes.first().copied(),
            bytes.get(64).copied(),
            bytes.last().copied(),
        ));
        let Some(span) = self.span(principal_id) else {
            return false;
        };
        let all = &self.filters[span.range()];
        // Likewise the principal's entries (read for candidates only): their
        // cache lines load while the filters are scanned.
        let entries = &self.entries[span.range()];
        std::hint::black_box((
            entries.first().map(|e| e.scope),
            entries.get(8).map(|e| e.scope),
            entries.get(16).map(|e| e.scope),
        ));
        let mut base = span.start as usize;
        for chunk in all.chunks(64) {
            let mut candidates = candidates(chunk, bytes);
            while candidates != 0 {
                let i = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let e = &self.entries[base + i];
                let len = e.scope_len as usize;
                // The role and window first: they are in cache, and a role that
                // does not grant the action spares reading the scope string.
                let (from, until) = self.window(base + i);
                let effective = from <= now && now < until;
                let grants = || {
                    self.compiled
                        .get(e.role as usize)
                        .and_then(Option::as_ref)
                        .is_some_and(|r| r.grants(action, kind))
                };
                if !effective || !grants() {
                    continue;
                }
                let contains = if len < 8 {
                    within(target, self.scopes.get(e.scope))
                } else {
                    // The boundary again: the filter only knows lengths up to 255.
                    len <= bytes.len()
                        && (len == bytes.len() || bytes[len] == b'/')
                        && self.scopes.bytes(e.scope, len) == &bytes[..len]
                };
                if contains {
                    return true;
                }
            }
            base += chunk.len();
        }
        false
    }

    /// Whether the principal holds any assignment at, above or below `target`.
    pub fn has_any_around(&self, principal_id: &str, target: &str) -> bool {
        self.span(principal_id).is_some_and(|span| {
            self.entries[span.range()].iter().any(|e| {
                let s = self.scopes.get(e.scope);
                within(target, s) || within(s, target)
            })
        })
    }

    fn scope_id(&self, e: &Entry) -> String {
        match self.scope_ids.get(&e.scope) {
            Some(original) => original.to_string(),
            None => self.scopes.get(e.scope).to_string(),
        }
    }

    fn assignment_id(&self, e: &Entry, name: [u8; 16]) -> String {
        let scope = self.scope_id(e);
        let base = if scope == "/" { "" } else { scope.as_str() };
        format!(
            "{base}/providers/Microsoft.Authorization/roleAssignments/{}",
            uuid::Uuid::from_bytes(name)
        )
    }

    /// Why none of the principal's assignments grants `action` at `target`.
    pub fn explain(&self, principal_id: &str, action: &str, target: &str, now: i64) -> Vec<Value> {
        self.explain_kind(principal_id, action, target, now, ActionKind::Control)
    }

    /// Why none of the principal's assignments grants `action` of `kind` at `target`.
    pub fn explain_kind(
        &self,
        principal_id: &str,
        action: &str,
        target: &str,
        now: i64,
        kind: ActionKind,
    ) -> Vec<Value> {
        let no_grant = match kind {
            ActionKind::Control => {
                "role does not grant the action (no matching action, or excluded by notActions)"
            }
            ActionKind::Data => {
                "role does not grant the data action (no matching dataAction, or excluded by notDataActions)"
            }
        };
        let mut out: Vec<Value> = self
            .named(principal_id)
            .iter()
            .map(|(e, name, (from, until))| {
                let r = self.role(e.role);
                let at = |t: i64| {
                    time::OffsetDateTime::from_unix_timestamp(t)
                        .map(aksemu_core::clock::rfc3339)
                        .unwrap_or_default()
                };
                let pending;
                let reason = if !within(target, self.scopes.get(e.scope)) {
                    "assignment scope does not contain the requested scope"
                } else if *from > now {
                    pending = format!("not yet effective until {} (role assignments take time to propagate)", at(*from));
                    pending.as_str()
                } else if *until <= now {
                    "deleted, and no longer effective"
                } else if r.is_none() {
                    "role definition not found"
                } else if r.is_some_and(|r| r.grants_kind(action, kind)) {
                    "role grants the action"
                } else {
                    no_grant
                };
                json!({
                    "roleAssignmentId": self.assignment_id(e, *name),
                    "scope": self.scope_id(e),
                    "roleDefinitionName": r.map(|r| r.role_name.as_str()).unwrap_or("<unknown role>"),
                    "reason": reason,
                })
            })
            .collect();
        if out.is_empty() {
            out.push(json!({"reason": "the caller has no role assignments"}));
        }
        out
    }

    /// The principal's assignments, materialised (for listings and tests).
    pub fn of(&self, principal_id: &str) -> Vec<Assignment> {
        self.named(principal_id)
            .iter()
            .filter_map(|(e, name, window)| {
                Some(Assignment {
                    window: (*window != ALWAYS).then_some(*window),
                    id: self.assignment_id(e, *name),
                    scope: ResourceId::parse(&self.scope_id(e)).ok()?,
                    role_definition_id: self.roles.get(e.role as u32).to_string(),
                    principal_id: principal_id.to_lowercase(),
                })
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.by_principal.values().map(|s| s.len as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_principal.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::{READER, builtin_role};

    #[test]
    fn replacing_and_compacting_keep_every_principal_right() {
        let reader = format!("/providers/Microsoft.Authorization/roleDefinitions/{READER}");
        let on = |p: &str, rg: &str, n: usize| Assignment {
            id: format!(
                "/subscriptions/s/resourcegroups/{rg}/providers/Microsoft.Authorization/roleAssignments/{n:08}-0000-0000-0000-000000000000"
            ),
            scope: ResourceId::resource_group("s", rg),
            role_definition_id: reader.clone(),
            principal_id: p.into(),
            window: None,
        };
        let p1 = "11111111-1111-1111-1111-111111111111";
        let p2 = "22222222-2222-2222-2222-222222222222";
        let mut idx = AssignmentIndex::from_assignments([on(p1, "a", 1), on(p2, "b", 2)]);
        idx.resolve_roles(|g| builtin_role(g).cloned());
        let read = "Microsoft.Resources/subscriptions/resourceGroups/read";
        for round in 0..200 {
            let rg = format!("r{round}");
            let list: Vec<Assignment> = (0..5).map(|n| on(p1, &rg, n)).collect();
            idx.replace(p1, list);
            idx.resolve_roles(|g| builtin_role(g).cloned());
            assert!(idx.allows(p1, read, ResourceId::resource_group("s", &rg).key(), 0));
            assert!(!idx.allows(p1, read, ResourceId::resource_group("s", "a").key(), 0));
            assert!(idx.allows(p2, read, ResourceId::resource_group("s", "b").key(), 0));
        }
        assert_eq!(idx.len(), 6);
        assert!(idx.entries.len() < 200, "compacted: {}", idx.entries.len());
        idx.replace(p1, Vec::new());
        assert!(!idx.allows(p1, read, ResourceId::resource_group("s", "r199").key(), 0));
        assert!(idx.allows(p2, read, ResourceId::resource_group("s", "b").key(), 0));
    }

    #[test]
    fn long_scopes_need_the_boundary_too() {
        let long = "n".repeat(300);
        let scope = ResourceId::resource_group("s", "rg").child(&["providers", "x.y", "t", &long]);
        let a = Assignment {
            id: format!(
                "{scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-000000000001"
            ),
            scope: scope.clone(),
            role_definition_id: format!(
                "/providers/Microsoft.Authorization/roleDefinitions/{READER}"
            ),
            principal_id: "p".into(),
            window: None,
        };
        let mut idx = AssignmentIndex::from_assignments([a]);
        idx.resolve_roles(|g| builtin_role(g).cloned());
        let sibling = ResourceId::resource_group("s", "rg").child(&[
            "providers",
            "x.y",
            "t",
            &format!("{long}x"),
        ]);
        assert!(idx.allows("p", "X.Y/t/read", scope.key(), 0));
        assert!(idx.allows("p", "X.Y/t/read", scope.child(&["c", "d"]).key(), 0));
        assert!(!idx.allows("p", "X.Y/t/read", sibling.key(), 0));
    }

    #[test]
    fn principal_keys() {
        let a = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        assert_eq!(PrincipalKey::of(a), PrincipalKey::of(&a.to_uppercase()));
        assert!(matches!(PrincipalKey::of(a), PrincipalKey::Guid(_)));
        assert!(matches!(
            PrincipalKey::of("0a1b2c3d-4e5f-6789-abcd-ef012345678g"),
            PrincipalKey::Other(_)
        ));
        assert_ne!(
            PrincipalKey::of(a),
            PrincipalKey::of("0a1b2c3d-4e5f-6789-abcd-ef0123456788")
        );
    }

    #[test]
    fn tails() {
        let t = "/subscriptions/s/resourcegroups/rg/providers/x.y/t/n";
        for a in ["/subscriptions/s", "/subscriptions/s/resourcegroups/rg", t] {
            assert_eq!(tail(t.as_bytes(), a.len()), tail(a.as_bytes(), a.len()));
        }
        assert_ne!(tail(t.as_bytes(), 16), tail(b"/subscriptions/x", 16));
    }

    #[test]
    fn data_actions_at_a_namespace_scope() {
        let cluster = ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1",
        )
        .unwrap_or_else(|_| ResourceId::root());
        let ns = cluster.child(&["namespaces", "dev"]);
        let a = Assignment {
            id: format!("{ns}/providers/Microsoft.Authorization/roleAssignments/22222222-2222-2222-2222-222222222222"),
            scope: ns.clone(),
            role_definition_id: "/providers/Microsoft.Authorization/roleDefinitions/a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb".into(),
            principal_id: "u".into(),
            window: None,
        };
        let mut idx = AssignmentIndex::from_assignments([a]);
        idx.resolve_roles(|g| builtin_role(g).cloned());
        let create = "Microsoft.ContainerService/managedClusters/apps/deployments/write";
        assert!(idx.allows_kind("u", create, ns.key(), 0, ActionKind::Data));
        // Not as a control-plane action, not in another namespace, not cluster-wide.
        assert!(!idx.allows("u", create, ns.key(), 0));
        let other = cluster.child(&["namespaces", "prod"]);
        assert!(!idx.allows_kind("u", create, other.key(), 0, ActionKind::Data));
        assert!(!idx.allows_kind("u", create, cluster.key(), 0, ActionKind::Data));
        let roles =
            "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/roles/write";
        let why = idx.explain_kind("u", roles, ns.key(), 0, ActionKind::Data);
        assert_eq!(
            why[0]["reason"],
            "role does not grant the data action (no matching dataAction, or excluded by notDataActions)"
        );
        assert_eq!(
            why[0]["roleDefinitionName"],
            "Azure Kubernetes Service RBAC Writer"
        );
    }

    #[test]
    fn decides_and_explains() {
        let rg = ResourceId::resource_group("S", "RG");
        let a = Assignment {
            id: format!(
                "{rg}/providers/Microsoft.Authorization/roleAssignments/11111111-1111-1111-1111-111111111111"
            ),
            scope: rg.clone(),
            role_definition_id: format!(
                "/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/{READER}"
            ),
            principal_id: "P".into(),
            window: None,
        };
        let mut idx = AssignmentIndex::from_assignments([a.clone()]);
        idx.resolve_roles(|g| builtin_role(g).cloned());
        let inside = rg.child(&["providers", "x.y", "t", "n"]);
        assert!(idx.allows("p", "X.Y/t/read", inside.key(), 0));
        assert!(!idx.allows("p", "X.Y/t/write", inside.key(), 0));
        assert!(!idx.allows(
            "p",
            "X.Y/t/read",
            ResourceId::resource_group("s", "rg2").key(),
            0
        ));
        let why = idx.explain("P", "X.Y/t/write", inside.key(), 0);
        assert_eq!(why[0]["roleAssignmentId"], a.id.as_str());
        assert_eq!(why[0]["roleDefinitionName"], "Reader");
        assert_eq!(idx.of("p")[0].id, a.id);

        // A propagation window: nothing before `from`, nothing from `until` on.
        let mut late = a.clone();
        late.window = Some((100, 200));
        let mut idx = AssignmentIndex::from_assignments([late]);
        idx.resolve_roles(|g| builtin_role(g).cloned());
        assert!(!idx.allows("p", "X.Y/t/read", inside.key(), 99));
        assert!(idx.allows("p", "X.Y/t/read", inside.key(), 100));
        assert!(!idx.allows("p", "X.Y/t/read", inside.key(), 200));
        let why = idx.explain("p", "X.Y/t/read", inside.key(), 99);
        assert!(
            why[0]["reason"]
                .as_str()
                .unwrap_or_default()
                .starts_with("not yet effective until")
        );
    }
}
