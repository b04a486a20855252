//! `aksemu clock show | advance <duration> | set <RFC 3339>`: the emulated cloud's
//! clock, on the running server.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::admin_client::{AdminClient, server};

#[derive(Args)]
pub struct ClockArgs {
    /// The data directory of the running server (default: the nearest
    /// `.aksemu` with a running server, from here upwards).
    #[arg(long, env = "AKSEMU_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    action: ClockAction,
}

#[derive(Subcommand)]
enum ClockAction {
    /// Print the cloud's time and how far it is ahead of real time.
    Show,
    /// Move the clock forward, e.g. `366d`, `59m`, `1h30m`, `90s`.
    Advance { duration: String },
    /// Set the clock to a time (not before real time), e.g. `2027-12-01T00:00:00Z`.
    Set { time: String },
}

/// `366d`, `59m`, `1h30m`, `90s` → seconds.
pub fn parse_duration(s: &str) -> anyhow::Result<i64> {
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => {
                bail!("'{s}' is not a duration: use a number with d, h, m or s, e.g. 366d or 1h30m")
            }
        };
        let n: i64 = number
            .parse()
            .map_err(|_| anyhow::anyhow!("'{s}' is not a duration"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
        any = true;
    }
    if s.trim() == "0" {
        return Ok(0);
    }
    if !number.is_empty() || !any {
        bail!("'{s}' is not a duration: every number needs a unit (d, h, m, s)");
    }
    Ok(total)
}

fn print(v: &Value) {
    println!("now:    {}", v["now"].as_str().unwrap_or_default());
    println!("real:   {}", v["realNow"].as_str().unwrap_or_default());
    println!("offset: {} s", v["offsetSeconds"]);
}

pub fn run(args: ClockArgs) -> anyhow::Result<()> {
    let (dir, info, creds) = server(&crate::data_dir::locate(args.data_dir.as_deref()))?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let admin = AdminClient::connect(&dir, &info, &creds).await?;
            let v = match args.action {
                ClockAction::Show => admin.get("/aksemu/admin/clock").await?,
                ClockAction::Advance { duration } => {
                    admin
                        .post(
                            "/aksemu/admin/clock",
                            &json!({ "advanceSeconds": parse_duration(&duration)? }),
                        )
                        .await?
                }
                ClockAction::Set { time } => {
                    admin
                        .post("/aksemu/admin/clock", &json!({ "set": time }))
                        .await?
                }
            };
            print(&v);
            Ok(())
        })
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("366d").ok(), Some(366 * 86_400));
        assert_eq!(parse_duration("1h30m").ok(), Some(5_400));
        assert_eq!(parse_duration("2m").ok(), Some(120));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("").is_err());
    }
}
