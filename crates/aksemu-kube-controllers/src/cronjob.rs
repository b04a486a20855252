//! The CronJob controller, on the cloud clock: when a scheduled minute has
//! passed since the last run, a Job from the template (named
//! `<cronjob>-<minutes since the epoch>`), subject to `suspend` and
//! `concurrencyPolicy`; finished Jobs beyond the history limits are removed.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{CallError, Client};
use crate::cron::Schedule;
use crate::meta::{controller_ref, deleting, name, owned_by, uid};

/// How far back a missed run is still made (minutes), as "too many missed
/// start times" stops the real controller.
const LOOK_BACK: u32 = 100_000;

fn finished(job: &Value) -> Option<&str> {
    job["status"]["conditions"]
        .as_array()?
        .iter()
        .find_map(|c| {
            (c["status"] == "True" && matches!(c["type"].as_str(), Some("Complete" | "Failed")))
                .then(|| c["type"].as_str())?
        })
}

fn time_of(v: &Value) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v.as_str()?, &Rfc3339).ok()
}

fn stamp(t: OffsetDateTime) -> String {
    aksemu_kube::objects::ktime(t)
}

/// Runs CronJob `ns/name` if one of its minutes has come (`now`: the cloud clock).
pub async fn reconcile(
    c: &Client,
    ns: &str,
    cj_name: &str,
    now: OffsetDateTime,
) -> Result<(), CallError> {
    let path = format!("/apis/batch/v1/namespaces/{ns}/cronjobs/{cj_name}");
    let Some(cj) = c.get(&path).await? else {
        return Ok(());
    };
    let Some(schedule) = cj["spec"]["schedule"].as_str().and_then(Schedule::parse) else {
        return Ok(());
    };
    if deleting(&cj) {
        return Ok(());
    }
    let jobs_path = format!("/apis/batch/v1/namespaces/{ns}/jobs");
    let jobs: Vec<Value> = c
        .list(&jobs_path)
        .await?
        .into_iter()
        .filter(|j| owned_by(j, uid(&cj)))
        .collect();
    let last = time_of(&cj["status"]["lastScheduleTime"])
        .or_else(|| time_of(&cj["metadata"]["creationTimestamp"]));
    let due = last.and_then(|l| schedule.latest(l, now, LOOK_BACK));
    let mut st = json!({});
    if let Some(t) = due.filter(|_| cj["spec"]["suspend"] != true) {
        let active = jobs.iter().any(|j| finished(j).is_none());
        let policy = cj["spec"]["concurrencyPolicy"].as_str().unwrap_or("Allow");
        if !(active && policy == "Forbid") {
            if active && policy == "Replace" {
                for j in jobs.iter().filter(|j| finished(j).is_none()) {
                    c.delete(&format!("{jobs_path}/{}", name(j))).await?;
                }
            }
            c.create(&jobs_path, job(&cj, t)).await?;
        }
        st["lastScheduleTime"] = json!(stamp(t));
    }
    prune(c, &jobs_path, &cj, &jobs).await?;
    let latest_done = jobs
        .iter()
        .filter(|j| finished(j) == Some("Complete"))
        .filter_map(|j| j["status"]["completionTime"].as_str())
        .max();
    if let Some(t) = latest_done {
        st["lastSuccessfulTime"] = json!(t);
    }
    if st
        .as_object()
        .is_some_and(|o| o.iter().all(|(k, v)| cj["status"][k] == *v))
    {
        return Ok(());
    }
    c.merge_patch(&format!("{path}/status"), json!({"status": st}))
        .await
        .map(|_| ())
}

fn job(cj: &Value, t: OffsetDateTime) -> Value {
    let tpl = &cj["spec"]["jobTemplate"];
    let minutes = t.unix_timestamp() / 60;
    json!({"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": format!("{}-{minutes}", name(cj)), "labels": tpl["metadata"]["labels"],
                        "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": stamp(t)},
                        "ownerReferences": [controller_ref(cj)]},
           "spec": tpl["spec"]})
}

/// Removes the oldest finished Jobs beyond the history limits.
async fn prune(c: &Client, jobs_path: &str, cj: &Value, jobs: &[Value]) -> Result<(), CallError> {
    for (kind, limit_field, default) in [
        ("Complete", "successfulJobsHistoryLimit", 3),
        ("Failed", "failedJobsHistoryLimit", 1),
    ] {
        let limit = cj["spec"][limit_field].as_u64().unwrap_or(default) as usize;
        let mut done: Vec<&Value> = jobs.iter().filter(|j| finished(j) == Some(kind)).collect();
        done.sort_by_key(|j| {
            j["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        let excess = done.len().saturating_sub(limit);
        for j in done.into_iter().take(excess) {
            c.delete(&format!("{jobs_path}/{}", name(j))).await?;
        }
    }
    Ok(())
}
