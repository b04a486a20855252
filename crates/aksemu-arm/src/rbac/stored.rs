//! How stored role assignments become the evaluator's entries, with the
//! propagation window each one has on the cloud clock.

use aksemu_authz::Assignment;
use aksemu_store::Doc;

use super::document::StoredAssignment;
use super::propagation::Propagation;

fn unix(rfc3339: Option<&str>) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339?, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Reads a stored role assignment as the evaluator sees it. With a propagation
/// delay it grants from `createdOn + delay` (at once if aksemu itself made it at
/// bootstrap: no `createdBy`); a deleted one (`deletedOn`) until `deletedOn +
/// delay`, and is dropped once that has passed. The delay may differ per
/// assignment (a seeded random delay).
pub fn assignment_of(d: &Doc, propagation: Propagation, now: i64) -> Option<Assignment> {
    let stored = StoredAssignment::parse(&d.body).ok()?;
    let p = &stored.properties;
    let deleted = unix(p.deleted_on.as_deref());
    let window = match (propagation.is_on(), deleted) {
        (false, None) => None,
        (false, Some(_)) => return None,
        (true, deleted) => {
            let delay = propagation.delay_for(&d.id);
            let from = match &p.created_by {
                None => i64::MIN,
                Some(_) => {
                    unix(p.created_on.as_deref()).map_or(i64::MIN, |c| c.saturating_add(delay))
                }
            };
            let until = deleted.map_or(i64::MAX, |t| t.saturating_add(delay));
            if until <= now {
                return None;
            }
            Some((from, until))
        }
    };
    Some(Assignment {
        id: d.id.clone(),
        scope: stored.scope().ok()?,
        role_definition_id: stored.properties.role_definition_id,
        principal_id: stored.properties.principal_id,
        window,
    })
}
