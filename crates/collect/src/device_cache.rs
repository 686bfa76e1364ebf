//! What was learnt about each block device (its name, its udev labels), by `major:minor`,
//! kept only while the device is still met and read again now and then when it was not
//! found: devices come and go (hot-plug, device-mapper), and udev may not have written a
//! new device's record yet when it is first seen.

use std::collections::HashMap;

/// After how many reads an entry that was not found is looked up again.
const RETRY_AFTER_READS: u64 = 16;

/// One device's entry.
struct Entry<V> {
    value: V,
    /// Whether the lookup found what it looked for (else `value` is a fallback).
    found: bool,
    /// The read in which the lookup was made.
    looked_up: u64,
    /// The last read that met the device.
    met: u64,
}

/// Values by `major:minor`. A read meets devices with [`DeviceCache::get`] and ends with
/// [`DeviceCache::end_read`], which forgets the devices it did not meet.
pub(crate) struct DeviceCache<V> {
    entries: HashMap<(u32, u32), Entry<V>>,
    read: u64,
}

impl<V> DeviceCache<V> {
    /// An empty cache.
    pub(crate) fn new() -> DeviceCache<V> {
        DeviceCache { entries: HashMap::new(), read: 0 }
    }

    /// The value of device `key`, from `look_up` (the value, and whether it was found
    /// rather than a fallback) the first time it is met, and again every
    /// [`RETRY_AFTER_READS`] reads while it is not found.
    pub(crate) fn get(&mut self, key: (u32, u32), look_up: impl FnOnce() -> (V, bool)) -> &V {
        let read = self.read;
        let entry = match self.entries.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let entry = e.into_mut();
                if !entry.found && read - entry.looked_up >= RETRY_AFTER_READS {
                    (entry.value, entry.found) = look_up();
                    entry.looked_up = read;
                }
                entry
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                let (value, found) = look_up();
                e.insert(Entry { value, found, looked_up: read, met: read })
            }
        };
        entry.met = read;
        &entry.value
    }

    /// Ends a read: forgets the devices it did not meet.
    pub(crate) fn end_read(&mut self) {
        let read = self.read;
        self.entries.retain(|_, e| e.met == read);
        self.read += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_not_met_are_forgotten_and_missing_ones_looked_up_again() {
        let mut cache = DeviceCache::new();
        let mut lookups = 0;
        let mut get = |cache: &mut DeviceCache<String>, key, found| {
            cache
                .get(key, || {
                    lookups += 1;
                    (format!("{key:?} lookup {lookups}"), found)
                })
                .clone()
        };
        assert_eq!(get(&mut cache, (8, 0), true), "(8, 0) lookup 1");
        assert_eq!(get(&mut cache, (8, 16), false), "(8, 16) lookup 2");
        cache.end_read();
        assert_eq!(get(&mut cache, (8, 0), true), "(8, 0) lookup 1", "found: looked up once");
        cache.end_read();
        assert_eq!(cache.entries.len(), 1, "8:16 was not met in the last read");
        assert_eq!(get(&mut cache, (8, 16), false), "(8, 16) lookup 3", "met again: looked up again");
        assert_eq!(get(&mut cache, (8, 0), true), "(8, 0) lookup 1");
        for _ in 0..RETRY_AFTER_READS {
            cache.end_read();
            assert_eq!(get(&mut cache, (8, 0), true), "(8, 0) lookup 1");
            get(&mut cache, (8, 16), true);
        }
        assert_eq!(get(&mut cache, (8, 16), true), "(8, 16) lookup 4", "not found: looked up again after a while");
    }
}
