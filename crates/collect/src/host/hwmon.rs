//! The `hwmon` collector: temperatures, fan speeds and voltages from
//! `/sys/class/hwmon/hwmon*`, as node_exporter's `node_hwmon_*` with its `chip` naming
//! (bus and device, which stays the same across reboots, unlike the hwmonN number).

use std::path::{Path, PathBuf};

use crate::host::read::{number, read_path_value};
use crate::{CollectError, Collector, Emitter, Metric};

const CHIP_NAMES: Metric = Metric::gauge("node_hwmon_chip_names", "Always 1; the human-readable name of each chip.", "");
const SENSOR_LABEL: Metric = Metric::gauge("node_hwmon_sensor_label", "Always 1; the label the driver gives each sensor.", "");

/// Sensor kinds: file prefix, `_input` family, scale to base units, and the limit files
/// read beside it.
struct Kind {
    prefix: &'static str,
    input: Metric,
    scale: f64,
    limits: &'static [(&'static str, Metric)],
}

const KINDS: [Kind; 3] = [
    Kind {
        prefix: "temp",
        input: Metric::gauge("node_hwmon_temp_celsius", "Temperature the sensor reads.", "celsius"),
        scale: 0.001,
        limits: &[
            ("max", Metric::gauge("node_hwmon_temp_max_celsius", "Temperature above which the chip warns.", "celsius")),
            ("crit", Metric::gauge("node_hwmon_temp_crit_celsius", "Critical temperature of the sensor.", "celsius")),
        ],
    },
    Kind { prefix: "fan", input: Metric::gauge("node_hwmon_fan_rpm", "Fan speed.", "rpm"), scale: 1.0, limits: &[] },
    Kind { prefix: "in", input: Metric::gauge("node_hwmon_in_volts", "Voltage the sensor reads.", "volts"), scale: 0.001, limits: &[] },
];

/// Reads hardware monitoring chips.
pub struct HwmonCollector {
    dir: PathBuf,
    buf: String,
}

impl HwmonCollector {
    /// A collector reading `<sys_root>/class/hwmon`.
    pub fn new(sys_root: &Path) -> HwmonCollector {
        HwmonCollector { dir: sys_root.join("class/hwmon"), buf: String::new() }
    }
}

/// Lower case, anything but `[a-z0-9:_]` as `_`, without leading or trailing `_`.
fn clean(name: &str) -> String {
    let lower: String =
        name.trim().to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() || c == ':' || c == '_' { c } else { '_' }).collect();
    lower.trim_matches('_').to_owned()
}

/// A stable name for chip directory `dir`: `<bus>_<device>` from where its `device` link
/// points (`platform_coretemp_0`), else its `name` file, else `hwmonN`.
fn chip_name(dir: &Path) -> String {
    if let Ok(device) = std::fs::canonicalize(dir.join("device")) {
        let name = device.file_name().map(|n| clean(&n.to_string_lossy())).unwrap_or_default();
        let bus = device.parent().and_then(Path::file_name).map(|n| clean(&n.to_string_lossy())).unwrap_or_default();
        match (bus.is_empty(), name.is_empty()) {
            (false, false) => return format!("{bus}_{name}"),
            (true, false) => return name,
            _ => {}
        }
    }
    if let Ok(name) = std::fs::read_to_string(dir.join("name")) {
        let name = clean(&name);
        if !name.is_empty() {
            return name;
        }
    }
    dir.file_name().map(|n| clean(&n.to_string_lossy())).unwrap_or_default()
}

impl Collector for HwmonCollector {
    fn name(&self) -> &str {
        "hwmon"
    }

    fn collect(&mut self, out: &mut Emitter) -> Result<(), CollectError> {
        let chips = std::fs::read_dir(&self.dir).map_err(|source| CollectError::Read { path: self.dir.clone(), source })?;
        for chip_dir in chips.flatten().map(|e| e.path()) {
            let chip = chip_name(&chip_dir);
            if let Ok(name) = read_path_value(&chip_dir.join("name"), &mut self.buf) {
                let name = clean(name);
                out.push(&CHIP_NAMES, &[("chip", &chip), ("chip_name", &name)], 1.0)?;
            }
            // Sensor files sit in the chip directory, or (older drivers) in its device
            // directory: both are read, the chip directory's file first when both have one.
            let device_dir = chip_dir.join("device");
            let mut files: Vec<(&Path, String)> = Vec::new();
            for dir in [chip_dir.as_path(), device_dir.as_path()] {
                for name in std::fs::read_dir(dir).into_iter().flatten().flatten().filter_map(|e| e.file_name().into_string().ok()) {
                    if name.ends_with("_input") && !files.iter().any(|(_, f)| *f == name) {
                        files.push((dir, name));
                    }
                }
            }
            for (dir, file) in &files {
                let sensor = file.trim_end_matches("_input");
                let Some(kind) = KINDS
                    .iter()
                    .find(|k| sensor.strip_prefix(k.prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
                else {
                    continue;
                };
                let labels = [("chip", chip.as_str()), ("sensor", sensor)];
                match read_path_value(&dir.join(file), &mut self.buf).map(number) {
                    Ok(Some(v)) => out.push(&kind.input, &labels, v * kind.scale)?,
                    Ok(None) => out.degrade(format!("{}: not a number", dir.join(file).display())),
                    // Sensors of powered-down devices answer with an error: left out.
                    Err(_) => continue,
                }
                for (limit, metric) in kind.limits {
                    if let Ok(Some(v)) = read_path_value(&dir.join(format!("{sensor}_{limit}")), &mut self.buf).map(number) {
                        out.push(metric, &labels, v * kind.scale)?;
                    }
                }
                if let Ok(label) = read_path_value(&dir.join(format!("{sensor}_label")), &mut self.buf) {
                    let label = label.to_owned();
                    out.push(&SENSOR_LABEL, &[("chip", &chip), ("label", &label), ("sensor", sensor)], 1.0)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chips_are_named_after_their_device() {
        let dir = tempfile::tempdir().unwrap();
        let device = dir.path().join("devices/platform/coretemp.0");
        std::fs::create_dir_all(&device).unwrap();
        let hwmon = dir.path().join("class/hwmon/hwmon3");
        std::fs::create_dir_all(&hwmon).unwrap();
        std::os::unix::fs::symlink(&device, hwmon.join("device")).unwrap();
        assert_eq!(chip_name(&hwmon), "platform_coretemp_0");
        let bare = dir.path().join("class/hwmon/hwmon4");
        std::fs::create_dir_all(&bare).unwrap();
        std::fs::write(bare.join("name"), "ACPI Thermal\n").unwrap();
        assert_eq!(chip_name(&bare), "acpi_thermal");
    }

    #[test]
    fn sensors_are_read_from_the_chip_and_from_its_device() {
        let dir = tempfile::tempdir().unwrap();
        let chip = dir.path().join("class/hwmon/hwmon0");
        let device = chip.join("device");
        std::fs::create_dir_all(&device).unwrap();
        std::fs::write(chip.join("name"), "old\n").unwrap();
        std::fs::write(chip.join("temp1_input"), "41000\n").unwrap();
        std::fs::write(device.join("temp1_input"), "99000\n").unwrap();
        std::fs::write(device.join("temp2_input"), "52500\n").unwrap();
        std::fs::write(device.join("temp2_crit"), "90000\n").unwrap();
        std::fs::write(device.join("fan1_input"), "1200\n").unwrap();
        let mut h = crate::services::testing::Harness::new();
        let run = h.run(&mut HwmonCollector::new(dir.path()));
        let chip = "chip=\"hwmon0_device\"";
        assert_eq!(run.get(&format!("node_hwmon_temp_celsius{{{chip},sensor=\"temp1\"}}")), 41.0, "the chip's file first");
        assert_eq!(run.get(&format!("node_hwmon_temp_celsius{{{chip},sensor=\"temp2\"}}")), 52.5);
        assert_eq!(run.get(&format!("node_hwmon_temp_crit_celsius{{{chip},sensor=\"temp2\"}}")), 90.0);
        assert_eq!(run.get(&format!("node_hwmon_fan_rpm{{{chip},sensor=\"fan1\"}}")), 1200.0);
    }
}
