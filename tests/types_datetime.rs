//! Dates and times against a real server: `date`, `time`, `timetz`, `timestamp`, `timestamptz`
//! (UTC, fixed offsets, local; across DST with a session time zone), `interval` and
//! `chrono::Duration`, `±infinity`. Each value is sent as a parameter and read back in binary, and
//! compared with the server's own text and with a SQL literal decoded by Quarry.

mod common;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, Utc,
};
use quarry::Error;
use quarry::types::{Infinite, Interval, TimeTz, Value};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A date as PostgreSQL prints it with DateStyle ISO (`0044-03-15 BC`).
fn pg_date(d: NaiveDate) -> String {
    if d.year() <= 0 {
        format!("{:04}-{:02}-{:02} BC", 1 - d.year(), d.month(), d.day())
    } else {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    }
}

/// A timestamp as PostgreSQL prints it (`offset` already formatted, BC after it).
fn pg_timestamp(t: NaiveDateTime, offset: &str) -> String {
    let date = pg_date(t.date());
    let (date, bc) = match date.strip_suffix(" BC") {
        Some(d) => (d.to_owned(), " BC"),
        None => (date, ""),
    };
    let time = t.time().format("%H:%M:%S%.f").to_string();
    let time = if time.contains('.') {
        time.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        time
    };
    format!("{date} {time}{offset}{bc}")
}

#[tokio::test]
async fn dates_bc_before_1970_and_infinite() {
    let mut conn = common::connect().await;
    for d in [
        ymd(-43, 3, 15),
        ymd(-4712, 1, 1),
        ymd(1, 1, 1),
        ymd(1900, 2, 28),
        ymd(1969, 12, 31),
        ymd(1970, 1, 1),
        ymd(1999, 12, 31),
        ymd(2000, 1, 1),
        ymd(2024, 2, 29),
        ymd(9999, 12, 31),
        ymd(200_000, 6, 1),
    ] {
        let text = pg_date(d);
        let row = conn
            .fetch_row(
                &format!("SELECT $1::date, $1::date::text, '{text}'::date"),
                &[&d],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<NaiveDate>(0).unwrap(), d);
        assert_eq!(row.get::<String>(1).unwrap(), text);
        assert_eq!(row.get::<NaiveDate>(2).unwrap(), d, "{text}");
    }
    let row = conn
        .fetch_row(
            "SELECT 'infinity'::date AS d, $1::date::text, $2::date",
            &[
                &Infinite::<NaiveDate>::NegInfinity,
                &Infinite::Value(ymd(2000, 1, 1)),
            ],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get::<Infinite<NaiveDate>>(0).unwrap(),
        Infinite::Infinity
    );
    let err = row.get::<NaiveDate>("d").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("'infinity'") && text.contains("\"d\"") && text.contains("NaiveDate"),
        "{text}"
    );
    assert_eq!(row.get::<String>(1).unwrap(), "-infinity");
    assert_eq!(row.get::<NaiveDate>(2).unwrap(), ymd(2000, 1, 1));
    assert_eq!(row.value(0).unwrap().to_string(), "infinity");
    // Beyond chrono: an error, and the connection goes on.
    let row = conn
        .fetch_row("SELECT '5874897-12-31'::date", &[])
        .await
        .unwrap()
        .unwrap();
    assert!(row.get::<NaiveDate>(0).is_err());
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}

#[tokio::test]
async fn times_and_timetz() {
    let mut conn = common::connect().await;
    for (t, text) in [
        (NaiveTime::from_hms_opt(0, 0, 0).unwrap(), "00:00:00"),
        (
            NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
            "23:59:59.999999",
        ),
        (
            NaiveTime::from_hms_milli_opt(12, 30, 1, 500).unwrap(),
            "12:30:01.5",
        ),
    ] {
        let row = conn
            .fetch_row(
                &format!("SELECT $1::time, $1::time::text, '{text}'::time"),
                &[&t],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<NaiveTime>(0).unwrap(), t);
        assert_eq!(row.get::<String>(1).unwrap(), text);
        assert_eq!(row.get::<NaiveTime>(2).unwrap(), t);
        assert_eq!(row.value(0).unwrap(), Value::Time(t));
    }
    let row = conn
        .fetch_row("SELECT '24:00:00'::time AS t", &[])
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.get::<NaiveTime>("t")
            .unwrap_err()
            .to_string()
            .contains("24:00:00")
    );
    for (secs_east, text) in [
        (5 * 3600 + 1800, "04:05:06.789+05:30"),
        (-3 * 3600, "04:05:06.789-03"),
        (0, "04:05:06.789+00"),
    ] {
        let t = TimeTz {
            time: NaiveTime::from_hms_micro_opt(4, 5, 6, 789_000).unwrap(),
            offset: FixedOffset::east_opt(secs_east).unwrap(),
        };
        let row = conn
            .fetch_row(
                &format!("SELECT $1::timetz, $1::timetz::text, '{text}'::timetz"),
                &[&t],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<TimeTz>(0).unwrap(), t);
        assert_eq!(row.get::<String>(1).unwrap(), text);
        assert_eq!(t.to_string(), text);
        assert_eq!(row.get::<TimeTz>(2).unwrap(), t);
    }
}

fn timestamps() -> Vec<NaiveDateTime> {
    [
        ymd(-43, 3, 15).and_hms_opt(12, 0, 0).unwrap(),
        ymd(1, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
        ymd(1969, 7, 20).and_hms_milli_opt(20, 17, 40, 500).unwrap(),
        ymd(1969, 12, 31)
            .and_hms_micro_opt(23, 59, 59, 999_999)
            .unwrap(),
        ymd(1999, 12, 31).and_hms_micro_opt(23, 59, 59, 1).unwrap(),
        ymd(2000, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
        ymd(2038, 1, 19).and_hms_opt(3, 14, 8).unwrap(),
        ymd(262_142, 12, 31).and_hms_opt(23, 59, 59).unwrap(),
    ]
    .into()
}

#[tokio::test]
async fn timestamps_bc_before_1970_and_infinite() {
    let mut conn = common::connect().await;
    for t in timestamps() {
        let text = pg_timestamp(t, "");
        let row = conn
            .fetch_row(
                &format!("SELECT $1::timestamp, $1::timestamp::text, '{text}'::timestamp"),
                &[&t],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<NaiveDateTime>(0).unwrap(), t);
        assert_eq!(row.get::<String>(1).unwrap(), text);
        assert_eq!(row.get::<NaiveDateTime>(2).unwrap(), t, "{text}");
        assert_eq!(row.value(0).unwrap(), Value::Timestamp(t.into()));
    }
    let row = conn
        .fetch_row(
            "SELECT '-infinity'::timestamp AS t, $1::timestamp::text, 'infinity'::timestamptz AS tz",
            &[&Infinite::<NaiveDateTime>::Infinity],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get::<Infinite<NaiveDateTime>>(0).unwrap(),
        Infinite::NegInfinity
    );
    assert!(
        row.get::<NaiveDateTime>("t")
            .unwrap_err()
            .to_string()
            .contains("'-infinity'")
    );
    assert_eq!(row.get::<String>(1).unwrap(), "infinity");
    assert_eq!(
        row.get::<Infinite<DateTime<Utc>>>(2).unwrap(),
        Infinite::Infinity
    );
    let err = row.get::<DateTime<Utc>>("tz").unwrap_err().to_string();
    assert!(
        err.contains("'infinity'") && err.contains("timestamptz"),
        "{err}"
    );
    // Wrong type: timestamp is not timestamptz.
    assert!(matches!(
        row.get::<DateTime<Utc>>("t"),
        Err(Error::ColumnType { .. })
    ));
}

#[tokio::test]
async fn timestamptz_across_dst_in_new_york() {
    let mut conn = common::connect().await;
    conn.execute("SET TimeZone = 'America/New_York'", &[])
        .await
        .unwrap();
    let utc = |s: &str| {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
            .unwrap()
            .and_utc()
    };
    for (at, local) in [
        // Spring forward: 01:59:59 EST is followed by 03:00:00 EDT.
        (
            utc("2024-03-10 06:59:59.999999"),
            "2024-03-10 01:59:59.999999-05",
        ),
        (utc("2024-03-10 07:00:00"), "2024-03-10 03:00:00-04"),
        // Fall back: 01:30 happens twice.
        (utc("2024-11-03 05:30:00"), "2024-11-03 01:30:00-04"),
        (utc("2024-11-03 06:30:00"), "2024-11-03 01:30:00-05"),
        (utc("1969-12-31 23:59:59"), "1969-12-31 18:59:59-05"),
        (utc("1883-11-18 12:00:00"), "1883-11-18 07:03:58-04:56:02"),
    ] {
        let row = conn
            .fetch_row(
                &format!(
                    "SELECT $1::timestamptz, $1::timestamptz::text, '{local}'::timestamptz, $2::timestamptz, $3::timestamptz"
                ),
                &[&at, &at.fixed_offset(), &at.with_timezone(&Local)],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<DateTime<Utc>>(0).unwrap(), at);
        assert_eq!(row.get::<String>(1).unwrap(), local);
        assert_eq!(row.get::<DateTime<Utc>>(2).unwrap(), at, "{local}");
        assert_eq!(row.get::<DateTime<FixedOffset>>(3).unwrap(), at);
        assert_eq!(row.get::<DateTime<Local>>(4).unwrap(), at);
        assert_eq!(row.value(0).unwrap(), Value::TimestampTz(at.into()));
    }
}

#[tokio::test]
async fn intervals_and_durations() {
    let mut conn = common::connect().await;
    for i in [
        Interval {
            months: 0,
            days: 0,
            microseconds: 0,
        },
        Interval {
            months: 14,
            days: 3,
            microseconds: 14_706_789_000,
        },
        Interval {
            months: -13,
            days: 2,
            microseconds: -1,
        },
        Interval {
            months: 0,
            days: -1,
            microseconds: 7_200_000_000,
        },
        Interval {
            months: 0,
            days: 0,
            microseconds: 400 * 3_600_000_000 + 1,
        },
        Interval {
            months: i32::MAX,
            days: i32::MIN,
            microseconds: i64::MAX,
        },
    ] {
        let text = i.to_string();
        let row = conn
            .fetch_row(
                &format!("SELECT $1::interval, $1::interval::text, '{text}'::interval"),
                &[&i],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<Interval>(0).unwrap(), i);
        assert_eq!(row.get::<String>(1).unwrap(), text);
        assert_eq!(row.get::<Interval>(2).unwrap(), i, "{text}");
        assert_eq!(row.value(0).unwrap(), Value::Interval(i));
    }
    let d = Duration::days(2) + Duration::microseconds(-3);
    let row = conn
        .fetch_row(
            "SELECT $1::interval, $1::interval::text, '1 mon'::interval AS m, '1 day 1 second'::interval",
            &[&d],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<Duration>(0).unwrap(), d);
    assert_eq!(row.get::<String>(1).unwrap(), "47:59:59.999997");
    let err = row.get::<Duration>("m").unwrap_err().to_string();
    assert!(
        err.contains("'1 mon'") && err.contains("\"m\"") && err.contains("interval"),
        "{err}"
    );
    assert_eq!(row.get::<Duration>(3).unwrap(), Duration::seconds(86_401));
    assert_eq!(conn.fetch_val::<i32>("SELECT 1", &[]).await.unwrap(), 1);
}
