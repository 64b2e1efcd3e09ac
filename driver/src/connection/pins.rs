//! Session settings Quarry holds for the life of a connection.
//!
//! They are set with `SET` after startup rather than sent in the startup packet: pgbouncer
//! refuses startup parameters it does not know, and for those it tracks (DateStyle) it would see
//! a difference from the server's value and send a `SET` in front of every transaction. Held
//! today: ISO date output when the server's default is not ISO (text dates are read in ISO
//! form), all float digits before PostgreSQL 12, and `default_transaction_read_only = on` on a
//! pool's replicas (so a write sent through the replica route fails even on a server promoted
//! since the connection opened).
//!
//! A reset (`RESET ALL`, `DISCARD ALL`, `RESET DateStyle`, a pool's custom reset) brings back the
//! server's default, and the server reports it (`ParameterStatus`): the settings are made again
//! in front of the next request outside a transaction. A value set on purpose that is not the
//! default (`SET DateStyle = 'German'`) is the user's and is left alone.

use super::Connection;
use crate::config::Pooler;
use crate::error::Result;

/// One held setting: the parameter's name, the SQL that sets it, and the value the server had
/// before (the value a reset brings back).
#[derive(Debug)]
struct Pin {
    name: &'static str,
    sql: &'static str,
    default: Option<String>,
    /// A reset brought the default back, and it has not been made again.
    lost: bool,
}

/// The settings a connection holds.
#[derive(Debug, Default)]
pub(super) struct Pins {
    pins: Vec<Pin>,
}

/// Sets ISO date output, keeping the server's day/month order for input.
const ISO_DATESTYLE: &str = "SET DateStyle = 'ISO'";
/// Makes every transaction of the session read only unless it says otherwise.
const READ_ONLY: &str = "SET default_transaction_read_only = on";

/// Before PostgreSQL 12, `extra_float_digits = 0` printed floats rounded to 15 digits: text
/// floats would not read back exactly. (Not reported by the server: a reset is seen only by a
/// pool's reset, which makes every held setting again.)
const FLOAT_DIGITS: &str = "SET extra_float_digits = 3";

/// The settings a session needs held, from what the server reported at startup.
fn wanted_pins(
    server_version: &str,
    iso_datestyle: bool,
    read_only: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut wanted = Vec::new();
    if !iso_datestyle {
        wanted.push(("DateStyle", ISO_DATESTYLE));
    }
    let major = server_version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|major| major.parse::<u32>().ok());
    if major.is_some_and(|major| major < 12) {
        wanted.push(("extra_float_digits", FLOAT_DIGITS));
    }
    if read_only {
        wanted.push(("default_transaction_read_only", READ_ONLY));
    }
    wanted
}

impl Pins {
    /// The SQL that makes every held setting again, `None` when nothing is held.
    fn sql(&self) -> Option<String> {
        if self.pins.is_empty() {
            return None;
        }
        let sqls: Vec<&str> = self.pins.iter().map(|pin| pin.sql).collect();
        Some(sqls.join("; "))
    }

    /// The server reported `name = value`: a held setting back at its default was undone.
    pub(super) fn on_report(&mut self, name: &str, value: &str) {
        if let Some(pin) = self.pins.iter_mut().find(|pin| pin.name == name) {
            // The held value, or a value set on purpose, clears a loss seen earlier.
            pin.lost = pin.default.as_deref() == Some(value);
        }
    }

    /// The SQL that makes the lost settings again, `None` when none is lost.
    fn lost_sql(&self) -> Option<String> {
        if !self.pins.iter().any(|pin| pin.lost) {
            return None;
        }
        let sqls: Vec<&str> = self
            .pins
            .iter()
            .filter(|pin| pin.lost)
            .map(|pin| pin.sql)
            .collect();
        (!sqls.is_empty()).then(|| sqls.join("; "))
    }
}

impl Connection {
    /// Right after startup (and the `target_session_attrs` check): holds ISO date output when
    /// the server's default is not ISO, all float digits before PostgreSQL 12, and read-only
    /// transactions when `read_only` (a pool's replica, unless through a transaction pooler),
    /// in one round trip.
    pub(super) async fn pin_session_settings(
        &mut self,
        read_only: bool,
        pooler: Pooler,
    ) -> Result<()> {
        let wanted = wanted_pins(
            self.parameter("server_version").unwrap_or(""),
            self.iso_datestyle(),
            // Through a transaction pooler a session setting would land on whichever backend
            // runs it, for another client to inherit (pgbouncer tracks DateStyle itself, but
            // not this one): the replica's standby state alone keeps writes off it.
            read_only && pooler != Pooler::Transaction,
        );
        for (name, sql) in wanted {
            let default = self.parameter(name).map(str::to_owned);
            self.pins.pins.push(Pin {
                name,
                sql,
                default,
                lost: false,
            });
        }
        if let Some(sql) = self.pins.sql() {
            self.simple_query(&sql).await?;
            self.take_session_dirty();
        }
        Ok(())
    }

    /// The SQL that makes every held setting again (for a pool's reset, after its `RESET ALL`),
    /// `None` when the connection holds none.
    pub(crate) fn pinned_sql(&self) -> Option<String> {
        self.pins.sql()
    }

    /// Called as a request begins: when a reset undid the held settings and no transaction is
    /// open, they are queued to go out in front of the request.
    pub(super) fn restore_pins(&mut self) {
        if self.is_in_transaction() {
            return;
        }
        if let Some(sql) = self.pins.lost_sql() {
            for pin in &mut self.pins.pins {
                pin.lost = false;
            }
            self.queue_sql(&sql);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_held_when_the_server_needs_it() {
        assert!(wanted_pins("15.4 (Debian 15.4-1)", true, false).is_empty());
        assert_eq!(
            wanted_pins("11.22", true, false),
            [("extra_float_digits", FLOAT_DIGITS)]
        );
        assert_eq!(
            wanted_pins("9.6.24", false, true),
            [
                ("DateStyle", ISO_DATESTYLE),
                ("extra_float_digits", FLOAT_DIGITS),
                ("default_transaction_read_only", READ_ONLY)
            ]
        );
        assert_eq!(
            wanted_pins("12beta1", true, true),
            [("default_transaction_read_only", READ_ONLY)]
        );
        // An unknown version holds nothing it cannot justify.
        assert!(wanted_pins("", true, false).is_empty());
    }
}
