//! Who is subscribed to what: the fan-out table.
//!
//! Publishing takes the read lock and pushes into each subscriber's [`Outbox`] without
//! waiting, so a publish costs one pass over the subscribers, and frames from one publisher
//! are queued for every subscriber in the order the publisher sent them. Subscribing and
//! unsubscribing take the write lock and queue their ack under it: a subscriber gets the
//! ack before any message of that stream partition, and nothing of it after the
//! unsubscribe's ack.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use tokio_tungstenite::tungstenite::Message;

use crate::outbox::Outbox;
use crate::protocol::StreamPartition;

/// A connection's number, unique for the relay's lifetime.
pub(crate) type ConnId = u64;

type Table = HashMap<StreamPartition, HashMap<ConnId, Arc<Outbox>>>;

/// The subscription table.
#[derive(Debug, Default)]
pub(crate) struct Router {
    table: RwLock<Table>,
}

impl Router {
    // A panic while holding the lock cannot leave the table half-updated (each operation
    // is one insert or remove), so a poisoned lock is used as is.
    fn read(&self) -> RwLockReadGuard<'_, Table> {
        self.table.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Table> {
        self.table.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `conn` to the stream partition's subscribers and queues `ack` for it.
    pub fn subscribe(
        &self,
        sp: &StreamPartition,
        conn: ConnId,
        outbox: &Arc<Outbox>,
        ack: Message,
    ) {
        let mut table = self.write();
        table
            .entry(sp.clone())
            .or_default()
            .insert(conn, outbox.clone());
        outbox.push(ack);
    }

    /// Removes `conn` from the stream partition's subscribers and queues `ack` for it.
    pub fn unsubscribe(&self, sp: &StreamPartition, conn: ConnId, outbox: &Outbox, ack: Message) {
        let mut table = self.write();
        remove(&mut table, sp, conn);
        outbox.push(ack);
    }

    /// Queues `frame` for every subscriber of the stream partition except `from`. Returns
    /// how many subscribers it was queued for.
    pub fn publish(&self, sp: &StreamPartition, from: ConnId, frame: &Bytes) -> u64 {
        let table = self.read();
        let Some(subscribers) = table.get(sp) else {
            return 0;
        };
        let mut queued = 0;
        for (&conn, outbox) in subscribers {
            if conn != from && outbox.push(Message::Binary(frame.clone())) {
                queued += 1;
            }
        }
        queued
    }

    /// Removes a closing connection from all its stream partitions.
    pub fn remove_connection<'a>(
        &self,
        conn: ConnId,
        subscriptions: impl IntoIterator<Item = &'a StreamPartition>,
    ) {
        let mut table = self.write();
        for sp in subscriptions {
            remove(&mut table, sp, conn);
        }
    }
}

fn remove(table: &mut Table, sp: &StreamPartition, conn: ConnId) {
    if let Some(subscribers) = table.get_mut(sp) {
        subscribers.remove(&conn);
        if subscribers.is_empty() {
            table.remove(sp);
        }
    }
}
