//! Journal operations on items: planning them, the intent/result pair around every remote write,
//! other state changes, and the queries resume and cleanup need. Every change appends an event.

use chrono::{DateTime, Utc};
use rusqlite::{Savepoint, params};

use super::db::Journal;
use super::error::{ErrorKind, JournalError};
use super::records::{
    EventKind, EventRecord, ItemId, ItemKind, ItemRecord, ItemState, NewItem, Op, OpOutcome,
};
use super::rows::{EVENT_COLUMNS, ITEM_COLUMNS, event_from_row, item_from_row, time_text};
use crate::run_id::RunId;

/// One state change, applied by [`Journal::transition`].
struct Change<'a> {
    next: ItemState,
    kind: EventKind,
    op: Option<Op>,
    detail: Option<&'a str>,
    new_planned: Option<&'a str>,
}

impl Journal {
    /// Records planned items of `run` (state `planned`) in one transaction; returns their ids in
    /// order.
    pub fn add_items(&self, run: &RunId, items: &[NewItem]) -> Result<Vec<ItemId>, JournalError> {
        self.insert_items(run, items, ItemState::Planned, None)
    }

    /// Records items of `run` that are already in place remotely (state `added`) although no run
    /// of this journal added them: `cleanup --sweep` journals the temporary aliases it found this
    /// way before removing them, so that an interrupted sweep is finished by a later `cleanup`.
    pub fn add_found_items(
        &self,
        run: &RunId,
        items: &[NewItem],
        detail: &str,
    ) -> Result<Vec<ItemId>, JournalError> {
        self.insert_items(run, items, ItemState::Added, Some(detail))
    }

    fn insert_items(
        &self,
        run: &RunId,
        items: &[NewItem],
        state: ItemState,
        detail: Option<&str>,
    ) -> Result<Vec<ItemId>, JournalError> {
        self.require_writer()?;
        let now = time_text(self.now());
        let acting = self.acting_run().unwrap_or_else(|| run.clone());
        let mut conn = self.conn();
        let tx = conn.savepoint()?;
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            tx.execute(
                "INSERT INTO items (run_id, user_id, upn, kind, planned, state, reason, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![run.as_str(), item.user.id, item.user.upn, item.kind.as_str(), item.planned,
                    state.as_str(), detail, now],
            )?;
            let id = ItemId(tx.last_insert_rowid());
            insert_event(
                &tx,
                id,
                &acting,
                &now,
                EventKind::State,
                None,
                state,
                detail,
            )?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Journals that a remote write is about to be sent. Call it before the request: after a
    /// crash the item's last state is this intent, and resume re-reads it.
    pub fn record_intent(
        &self,
        item: ItemId,
        op: Op,
        detail: Option<&str>,
    ) -> Result<(), JournalError> {
        self.transition(
            item,
            &Change {
                next: ItemState::intent_for(op),
                kind: EventKind::Intent,
                op: Some(op),
                detail,
                new_planned: None,
            },
        )
    }

    /// Journals a remote write's outcome, right after the response.
    pub fn record_result(
        &self,
        item: ItemId,
        op: Op,
        outcome: &OpOutcome,
    ) -> Result<(), JournalError> {
        let (succeeded, detail) = match outcome {
            OpOutcome::Succeeded => (true, None),
            OpOutcome::Failed(reason) => (false, Some(reason.as_str())),
        };
        self.transition(
            item,
            &Change {
                next: ItemState::result_for(op, succeeded),
                kind: EventKind::Result,
                op: Some(op),
                detail,
                new_planned: None,
            },
        )
    }

    /// Any other state change: `written-back`, `stuck`, `verified`, `skipped` ... with a reason
    /// where there is one. Refuses changes the state machine does not allow.
    pub fn mark(
        &self,
        item: ItemId,
        state: ItemState,
        reason: Option<&str>,
    ) -> Result<(), JournalError> {
        self.transition(
            item,
            &Change {
                next: state,
                kind: EventKind::State,
                op: None,
                detail: reason,
                new_planned: None,
            },
        )
    }

    /// Records that a read proved the alias of a removed item gone: `verified` when its
    /// write-back was seen, `withdrawn` when it was not (`why` then says why it went: "no
    /// write-back within 30m"). `proof` names the read. Returns the state it reached.
    pub fn record_gone(
        &self,
        item: ItemId,
        proof: &str,
        why: Option<&str>,
    ) -> Result<ItemState, JournalError> {
        let written_back = self.item(item)?.written_back_at.is_some();
        let next = ItemState::gone(written_back);
        let detail = match why.filter(|_| !written_back) {
            Some(why) => format!("{why}; alias removed ({proof})"),
            None => proof.to_owned(),
        };
        self.mark(item, next, Some(&detail))?;
        Ok(next)
    }

    /// Gives an item a new planned value and sends it back to `planned`: the one retry with a new
    /// suffix after "address already in use".
    pub fn replan(&self, item: ItemId, planned: &str, reason: &str) -> Result<(), JournalError> {
        self.transition(
            item,
            &Change {
                next: ItemState::Planned,
                kind: EventKind::State,
                op: None,
                detail: Some(reason),
                new_planned: Some(planned),
            },
        )
    }

    fn transition(&self, item: ItemId, change: &Change<'_>) -> Result<(), JournalError> {
        self.require_writer()?;
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.savepoint()?;
        let current = load_item(&tx, item)?;
        // `verified` means the write-back was seen; `withdrawn` that it was not.
        let gone_right = match change.next {
            ItemState::Verified | ItemState::Withdrawn => {
                change.next == ItemState::gone(current.written_back_at.is_some())
            }
            _ => true,
        };
        if !current.state.can_become(change.next) || !gone_right {
            return Err(ErrorKind::InvalidTransition {
                item,
                from: current.state,
                to: change.next,
            }
            .into());
        }
        update_item(&tx, &current, change, now)?;
        let acting = self.acting_run().unwrap_or(current.run);
        let at = time_text(now);
        insert_event(
            &tx,
            item,
            &acting,
            &at,
            change.kind,
            change.op,
            change.next,
            change.detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One item.
    pub fn item(&self, item: ItemId) -> Result<ItemRecord, JournalError> {
        self.query_items("id = ?1", [item.0])?
            .pop()
            .ok_or_else(|| ErrorKind::UnknownItem(item).into())
    }

    /// The items of a run, in planning order.
    pub fn items(&self, run: &RunId) -> Result<Vec<ItemRecord>, JournalError> {
        self.query_items("run_id = ?1", [run.as_str()])
    }

    /// The items of a run whose last journaled state is an intent: the write may or may not have
    /// landed, so resume must re-read them before continuing.
    pub fn items_in_intent(&self, run: &RunId) -> Result<Vec<ItemRecord>, JournalError> {
        self.query_items(
            "run_id = ?1 AND state IN ('add-intent', 'remove-intent')",
            [run.as_str()],
        )
    }

    /// Alias items (of one run, or of all runs) that may still be on a mailbox: added, or with an
    /// add or removal of unknown outcome, and not removed. What `cleanup` works through.
    pub fn items_to_clean(&self, run: Option<&RunId>) -> Result<Vec<ItemRecord>, JournalError> {
        let states: Vec<String> = ALL_STATES
            .iter()
            .filter(|s| s.alias_may_be_present())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let filter = format!(
            "kind = '{}' AND state IN ({}) AND (?1 IS NULL OR run_id = ?1)",
            ItemKind::Alias.as_str(),
            states.join(", ")
        );
        self.query_items(&filter, [run.map(RunId::as_str)])
    }

    /// An item's events, oldest first.
    pub fn item_events(&self, item: ItemId) -> Result<Vec<EventRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE item_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_and_then([item.0], event_from_row)?;
        rows.collect()
    }

    fn query_items<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<ItemRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE {filter} ORDER BY id"
        ))?;
        let rows = stmt.query_and_then(params, item_from_row)?;
        rows.collect()
    }
}

fn load_item(tx: &Savepoint<'_>, item: ItemId) -> Result<ItemRecord, JournalError> {
    tx.query_row(
        &format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"),
        [item.0],
        |row| Ok(item_from_row(row)),
    )
    .map_err(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => ErrorKind::UnknownItem(item).into(),
        other => JournalError::from(other),
    })?
}

/// Writes the new state, the reason, and the timestamps and latency the new state sets.
fn update_item(
    tx: &Savepoint<'_>,
    current: &ItemRecord,
    change: &Change<'_>,
    now: DateTime<Utc>,
) -> Result<(), JournalError> {
    let now_text = time_text(now);
    let stamp = |state: ItemState| (change.next == state).then_some(now_text.as_str());
    let latency_ms = match (change.next, current.added_at) {
        (ItemState::WrittenBack, Some(added)) => Some((now - added).num_milliseconds().max(0)),
        _ => None,
    };
    let reason = match change.kind {
        EventKind::Intent => None,
        _ => change.detail,
    };
    tx.execute(
        "UPDATE items SET state = ?2, reason = ?3, updated_at = ?4,
             planned = COALESCE(?5, planned),
             added_at = COALESCE(?6, added_at),
             written_back_at = COALESCE(?7, written_back_at),
             removed_at = COALESCE(?8, removed_at),
             latency_ms = COALESCE(?9, latency_ms)
         WHERE id = ?1",
        params![
            current.id.0,
            change.next.as_str(),
            reason,
            now_text,
            change.new_planned,
            stamp(ItemState::Added),
            stamp(ItemState::WrittenBack),
            stamp(ItemState::Removed),
            latency_ms
        ],
    )?;
    Ok(())
}

const ALL_STATES: [ItemState; 12] = [
    ItemState::Planned,
    ItemState::AddIntent,
    ItemState::Added,
    ItemState::AddFailed,
    ItemState::WrittenBack,
    ItemState::RemoveIntent,
    ItemState::Removed,
    ItemState::RemoveFailed,
    ItemState::Verified,
    ItemState::Withdrawn,
    ItemState::Stuck,
    ItemState::Skipped,
];

#[allow(clippy::too_many_arguments)]
fn insert_event(
    tx: &Savepoint<'_>,
    item: ItemId,
    run: &RunId,
    at: &str,
    kind: EventKind,
    op: Option<Op>,
    state: ItemState,
    detail: Option<&str>,
) -> Result<(), JournalError> {
    tx.execute(
        "INSERT INTO events (item_id, run_id, at, kind, op, state, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            item.0,
            run.as_str(),
            at,
            kind.as_str(),
            op.map(Op::as_str),
            state.as_str(),
            detail
        ],
    )?;
    Ok(())
}
