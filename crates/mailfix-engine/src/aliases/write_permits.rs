//! The permits a run's writes share, adds before removals: an add starts a user's write-back
//! clock while a removal only tidies up, so while an add waits for a permit a removal waits too,
//! except that removals may always hold a reserved share of the permits (one in [`PIPELINE`]), so
//! adds, polls and removals all make progress at once.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Notify, Semaphore, SemaphorePermit};
use tokio_util::sync::CancellationToken;

use super::writer::PIPELINE;
use crate::journal::Op;

/// `depth` permits, shared by adds and removals.
pub(super) struct WritePermits {
    permits: Semaphore,
    depth: usize,
    removal_reserve: usize,
    adds_waiting: AtomicUsize,
    removals_holding: AtomicUsize,
    changed: Notify,
}

/// A held write permit (a removal's also holds its share of the reserve).
pub(super) struct WritePermit<'p> {
    _permit: SemaphorePermit<'p>,
    _removal: Option<Counted<'p>>,
}

impl WritePermits {
    /// `depth` permits; removals may always hold one in [`PIPELINE`] of them (at least one).
    pub(super) fn new(depth: usize) -> Self {
        WritePermits {
            permits: Semaphore::new(depth),
            depth,
            removal_reserve: (depth / PIPELINE).max(1),
            adds_waiting: AtomicUsize::new(0),
            removals_holding: AtomicUsize::new(0),
            changed: Notify::new(),
        }
    }

    /// How many permits there are.
    pub(super) fn depth(&self) -> usize {
        self.depth
    }

    /// A permit for `op`, or `None` once `halt` is cancelled.
    pub(super) async fn acquire(
        &self,
        op: Op,
        halt: &CancellationToken,
    ) -> Option<WritePermit<'_>> {
        let (waiting, removal) = match op {
            Op::Add => (Some(Counted::new(self, &self.adds_waiting)), None),
            Op::Remove => (None, Some(self.removal_turn(halt).await?)),
        };
        let permit = tokio::select! {
            permit = self.permits.acquire() => permit.ok()?,
            () = halt.cancelled() => return None,
        };
        drop(waiting);
        Some(WritePermit {
            _permit: permit,
            _removal: removal,
        })
    }

    /// Resolves, counting the removal as holding, once no add waits or the removals hold less
    /// than their reserve; `None` once `halt` is cancelled.
    async fn removal_turn(&self, halt: &CancellationToken) -> Option<Counted<'_>> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let admitted = self
                .removals_holding
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |holding| {
                    let adds_waiting = self.adds_waiting.load(Ordering::Acquire);
                    (adds_waiting == 0 || holding < self.removal_reserve).then_some(holding + 1)
                })
                .is_ok();
            if admitted {
                return Some(Counted {
                    permits: self,
                    count: &self.removals_holding,
                });
            }
            tokio::select! {
                () = changed => {}
                () = halt.cancelled() => return None,
            }
        }
    }
}

/// One unit of a counter, given back (and the waiting removals woken) when dropped.
struct Counted<'p> {
    permits: &'p WritePermits,
    count: &'p AtomicUsize,
}

impl<'p> Counted<'p> {
    fn new(permits: &'p WritePermits, count: &'p AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Counted { permits, count }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
        self.permits.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;

    use futures::poll;

    use super::*;

    #[tokio::test]
    async fn removals_keep_their_reserve_while_adds_wait_and_take_the_rest_after() {
        let permits = WritePermits::new(8);
        let halt = CancellationToken::new();
        let holding = || permits.removals_holding.load(Ordering::Acquire);
        let mut adds = Vec::new();
        for _ in 0..8 {
            adds.push(permits.acquire(Op::Add, &halt).await);
        }
        let mut waiting_add = pin!(permits.acquire(Op::Add, &halt));
        assert!(poll!(waiting_add.as_mut()).is_pending());
        let mut removals: Vec<_> = (0..3)
            .map(|_| Box::pin(permits.acquire(Op::Remove, &halt)))
            .collect();
        for removal in &mut removals {
            assert!(poll!(removal.as_mut()).is_pending());
        }
        assert_eq!(
            holding(),
            2,
            "the reserve (8 / PIPELINE) passes while an add waits"
        );
        adds.pop();
        let Some(add) = waiting_add.await else {
            panic!("the waiting add gets the freed permit first")
        };
        assert!(poll!(removals[2].as_mut()).is_pending());
        assert_eq!(holding(), 3, "no add waits: the third removal passes");
        drop(add);
        let std::task::Poll::Ready(Some(_removal)) = poll!(removals[0].as_mut()) else {
            panic!("the first removal gets the permit the add gave back")
        };
        halt.cancel();
        assert!(matches!(
            poll!(removals[1].as_mut()),
            std::task::Poll::Ready(None)
        ));
    }
}
