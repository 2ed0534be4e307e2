//! Snapshot, persistence and dump entry points of the binding (see
//! src/snapshot.rs and src/dump.rs; pkg/src/snapshot.js and persist.js use them).

use super::{note_pending, Store};
use crate::dump::{self, DumpOptions};
use crate::snapshot;
use wasm_bindgen::prelude::*;

fn busy() -> JsError {
    JsError::new("store busy")
}

fn push_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

#[wasm_bindgen]
impl Store {
    /// The whole keyspace as snapshot bytes.
    pub fn snapshot(&self) -> Result<Vec<u8>, JsError> {
        let srv = self.srv.try_borrow().map_err(|_| busy())?;
        srv.snapshot().map_err(|e| JsError::new(&e.to_string()))
    }

    /// Installs a snapshot (`merge`: keep this store's unsaved changes on top).
    /// Returns `u32 keys, u32 n, n × (u32 db, u32 len, key)` (the expired
    /// keys), `u32 evicted` (keys evicted to get under maxmemory).
    pub fn restore(&self, bytes: &[u8], merge: bool) -> Result<Vec<u8>, JsError> {
        let mut srv = self.srv.try_borrow_mut().map_err(|_| busy())?;
        super::alloc::expect(bytes.len().saturating_mul(2));
        let r = if merge { srv.merge_snapshot(bytes) } else { srv.restore_snapshot(bytes) };
        super::alloc::expect(0);
        let r = r.map_err(|e| JsError::new(&e.to_string()))?;
        note_pending(&srv); // expired events for subscribers, waits a restored list answered
        let mut out = Vec::new();
        push_u32(&mut out, r.keys);
        push_u32(&mut out, r.expired.len());
        for (d, k) in &r.expired {
            push_u32(&mut out, *d);
            push_u32(&mut out, k.len());
            out.extend_from_slice(k);
        }
        push_u32(&mut out, r.evicted.min(u32::MAX as u64) as usize);
        Ok(out)
    }

    /// `[version, databases, savedAt, keys]` of a snapshot (checks its checksum).
    #[wasm_bindgen(js_name = snapshotInfo)]
    pub fn snapshot_info(bytes: &[u8]) -> Result<Vec<f64>, JsError> {
        let i = snapshot::info(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(vec![i.version as f64, i.databases as f64, i.saved_at as f64, i.keys as f64])
    }

    /// Modifications ever made (polled to debounce saves).
    #[wasm_bindgen(js_name = changeCount)]
    pub fn change_count(&self) -> f64 {
        self.srv.try_borrow().map_or(0.0, |s| s.changes.count as f64)
    }

    /// Changed keys (or whole databases) not yet saved.
    #[wasm_bindgen(js_name = pendingChanges)]
    pub fn pending_changes(&self) -> u32 {
        self.srv.try_borrow().map_or(0, |s| s.changes.pending() as u32)
    }

    /// Starts remembering changed keys (forgetting any so far).
    #[wasm_bindgen(js_name = trackChanges)]
    pub fn track_changes(&self, on: bool) {
        if let Ok(mut s) = self.srv.try_borrow_mut() {
            s.changes.track(on);
        }
    }

    #[wasm_bindgen(js_name = beginSave)]
    pub fn begin_save(&self) {
        if let Ok(mut s) = self.srv.try_borrow_mut() {
            s.changes.begin_save();
        }
    }

    #[wasm_bindgen(js_name = endSave)]
    pub fn end_save(&self, ok: bool) {
        if let Ok(mut s) = self.srv.try_borrow_mut() {
            s.changes.end_save(ok);
        }
    }

    /// The keyspace as a RESP command stream.
    #[wasm_bindgen(js_name = dumpResp)]
    pub fn dump_resp(&self, field_ttl: bool) -> Result<Vec<u8>, JsError> {
        let srv = self.srv.try_borrow().map_err(|_| busy())?;
        srv.dump_resp(DumpOptions { field_ttl }).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Runs a RESP command stream on a connection of its own. Returns
    /// `u32 commands, u32 errorCount, u32 n, n × (u32 index, u32 len, text)`.
    #[wasm_bindgen(js_name = loadResp)]
    pub fn load_resp(&self, bytes: &[u8]) -> Result<Vec<u8>, JsError> {
        let mut srv = self.srv.try_borrow_mut().map_err(|_| busy())?;
        let mut client = srv.new_client();
        let r = dump::load_resp(&mut srv, &mut client, bytes);
        srv.drop_client(&client);
        note_pending(&srv);
        let r = r.map_err(|e| JsError::new(&e))?;
        let mut out = Vec::new();
        push_u32(&mut out, r.commands);
        push_u32(&mut out, r.error_count);
        push_u32(&mut out, r.errors.len());
        for (i, e) in &r.errors {
            push_u32(&mut out, *i);
            let t = e.text();
            push_u32(&mut out, t.len());
            out.extend_from_slice(t.as_bytes());
        }
        Ok(out)
    }
}
