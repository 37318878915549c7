//! A log on PostgreSQL carries on after the server restarts.
//!
//! Alone in its own test binary: cargo runs test binaries one after another,
//! so restarting the shared test server cannot break another test's
//! connection. It runs only on the throwaway cluster `bylaw_store::testing`
//! starts; a server named by `BYLAW_TEST_POSTGRES` is not restarted.

use bylaw_store::{testing, EventLog, NewEvent};

fn event(key: &str) -> NewEvent {
    NewEvent {
        key: key.to_string(),
        at: "2026-11-21T08:00:00Z".to_string(),
        kind: "restart.test".to_string(),
        payload: "{}".to_string(),
    }
}

#[test]
fn reconnects_after_the_server_restarts() {
    let Some(pg) = testing::postgres().unwrap_or_else(|e| panic!("{e}")) else {
        return;
    };
    let url = pg.fresh_url().unwrap();
    let mut writer = EventLog::open_url(&url).unwrap();
    let reader = EventLog::open_url(&url).unwrap();
    writer.append(&[event("before")]).unwrap();
    assert_eq!(reader.count().unwrap(), 1);

    if let Err(why) = pg.restart() {
        eprintln!("skipped: cannot restart this server ({why})");
        return;
    }

    // The first call after the restart finds its connection dead; it either
    // gets a fresh one at once or fails as unavailable, and the next works.
    match writer.append(&[event("after")]) {
        Ok(acks) => assert_eq!(acks, vec![(2, true)]),
        Err(e) => {
            assert!(e.is_unavailable(), "{e:?}");
            assert_eq!(writer.append(&[event("after")]).unwrap(), vec![(2, true)]);
        }
    }
    let count = match reader.count() {
        Ok(n) => n,
        Err(e) => {
            assert!(e.is_unavailable(), "{e:?}");
            reader.count().unwrap()
        }
    };
    assert_eq!(count, 2);
}
