//! Transitive group membership: the flattened, de-duplicated member list of a group including
//! everything reached through nested groups (cycles tolerated), cached per group.
//!
//! The cache is dropped by the membership writers below. As a safety net against code that writes
//! `Group::members` directly, each cached closure remembers the length and buffer address of every
//! member list it read and is recomputed when one of them changed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use super::{GroupIdx, ObjectRef, Tenant};

/// The transitive members of one group, in breadth-first order of discovery.
#[derive(Debug)]
pub struct Closure {
    /// Every member reached (users, nested groups, other objects), each once, never the group itself.
    pub members: Vec<ObjectRef>,
    /// Positions in `members` that are users, for `/microsoft.graph.user` casts.
    pub user_positions: Vec<u32>,
    /// The member lists read: group, length, buffer address.
    read: Vec<(GroupIdx, usize, usize)>,
}

/// Per-group cache of [`Closure`]s, kept in the [`Tenant`].
#[derive(Debug, Default)]
pub struct MembershipCache {
    closures: Mutex<HashMap<GroupIdx, Arc<Closure>>>,
}

impl MembershipCache {
    /// Forgets every cached closure (call after changing any group's members).
    pub fn invalidate(&self) {
        self.closures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    fn get(&self, group: GroupIdx) -> Option<Arc<Closure>> {
        self.closures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&group)
            .cloned()
    }

    fn put(&self, group: GroupIdx, closure: Arc<Closure>) {
        self.closures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(group, closure);
    }
}

impl Tenant {
    /// The transitive members of `group` (cached).
    pub fn transitive_members(&self, group: GroupIdx) -> Arc<Closure> {
        if let Some(closure) = self.membership.get(group)
            && self.closure_is_current(&closure)
        {
            return closure;
        }
        let closure = Arc::new(self.compute_closure(group));
        self.membership.put(group, closure.clone());
        closure
    }

    /// Adds a direct member; false when it already was one.
    pub fn add_group_member(&mut self, group: GroupIdx, member: ObjectRef) -> bool {
        let Some(g) = self.groups.get_mut(group as usize) else {
            return false;
        };
        if g.members.contains(&member) {
            return false;
        }
        g.members.push(member);
        self.membership.invalidate();
        true
    }

    fn closure_is_current(&self, closure: &Closure) -> bool {
        closure.read.iter().all(|&(g, len, addr)| {
            self.groups.get(g as usize).is_some_and(|group| {
                group.members.len() == len && group.members.as_ptr() as usize == addr
            })
        })
    }

    fn compute_closure(&self, root: GroupIdx) -> Closure {
        let mut seen_users = vec![false; self.users.len()];
        let mut seen_groups = vec![false; self.groups.len()];
        let mut seen_others = vec![false; self.others.len()];
        if let Some(flag) = seen_groups.get_mut(root as usize) {
            *flag = true;
        }
        let mut members = Vec::new();
        let mut user_positions = Vec::new();
        let mut read = Vec::new();
        let mut queue = VecDeque::from([root]);
        while let Some(g) = queue.pop_front() {
            let Some(group) = self.groups.get(g as usize) else {
                continue;
            };
            read.push((g, group.members.len(), group.members.as_ptr() as usize));
            for &member in &group.members {
                let slot = match member {
                    ObjectRef::User(u) => seen_users.get_mut(u as usize),
                    ObjectRef::Group(n) => seen_groups.get_mut(n as usize),
                    ObjectRef::Other(o) => seen_others.get_mut(o as usize),
                };
                let Some(slot) = slot else { continue };
                if std::mem::replace(slot, true) {
                    continue;
                }
                if let ObjectRef::Group(n) = member {
                    queue.push_back(n);
                }
                if matches!(member, ObjectRef::User(_)) {
                    user_positions.push(u32::try_from(members.len()).unwrap_or(u32::MAX));
                }
                members.push(member);
            }
        }
        Closure {
            members,
            user_positions,
            read,
        }
    }
}
