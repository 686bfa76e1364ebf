//! Forecast benchmark on NAB: for each series in ../shared/nab/data (realAWSCloudwatch is
//! real; the artificial folders are reported apart), fit on the first 80 %, forecast the last
//! 20 % in one multi-step run from the cut, and print MASE (mean absolute error over the
//! in-sample mean absolute error of the seasonal-naive forecast, Hyndman's definition, the
//! season being a day when the fitted part covers two, else one step), the MASE of the
//! seasonal-naive forecast itself for comparison, the share of held-out values inside the
//! 80 % and 95 % intervals, the model chosen and the time per fit.
//!
//! The 20 % is about 2.8 days of 5-minute steps for most files, a long but not absurd
//! horizon for capacity questions. A rolling variant is printed too ("roll"): from the
//! cut, refit and forecast one day ahead, move the cut on by a day, until the data ends;
//! its MASE and coverage pool all those days.
//!
//! The CSVs are taken as regular at their median step (NAB's series are, save a few gaps).
//!
//! Run: `cargo run --release -p vitals-analytics --example forecast [DATA_DIR]`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use vitals_analytics::forecast::{forecast, ModelKind, Point};

/// One series' figures.
struct Row {
    real: bool,
    mase: f64,
    naive_mase: f64,
    cover80: f64,
    cover95: f64,
    seconds: f64,
    model: ModelKind,
    roll_mase: f64,
    roll80: f64,
    roll95: f64,
}

/// Mean absolute error and the shares inside the 80 % and 95 % intervals of `points` against `actual`.
fn score(points: &[Point], actual: &[f64]) -> (f64, f64, f64) {
    let k = actual.len() as f64;
    let mae = points.iter().zip(actual).map(|(p, v)| (v - p.mean).abs()).sum::<f64>() / k;
    let in80 = points.iter().zip(actual).filter(|(p, v)| p.lo80 <= **v && **v <= p.hi80).count() as f64 / k;
    let in95 = points.iter().zip(actual).filter(|(p, v)| p.lo95 <= **v && **v <= p.hi95).count() as f64 / k;
    (mae, in80, in95)
}

/// The rolling one-day-ahead variant: pooled mean absolute error and coverage.
fn rolling(y: &[f64], cut: usize, step: f64, day: usize) -> Result<(f64, f64, f64), vitals_analytics::AnalyticsError> {
    let (mut err, mut in80, mut in95, mut total) = (0.0, 0.0, 0.0, 0.0);
    let mut c = cut;
    while c < y.len() {
        let h = day.min(y.len() - c);
        let f = forecast(&y[..c], step, h)?;
        let (mae, c80, c95) = score(&f.points, &y[c..c + h]);
        let k = h as f64;
        err += mae * k;
        in80 += c80 * k;
        in95 += c95 * k;
        total += k;
        c += h;
    }
    Ok((err / total, in80 / total, in95 / total))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("../shared/nab/data"));
    let mut rows = Vec::new();
    println!(
        "{:<52} {:>5} {:>6} {:>7} {:>7} {:>6} {:>6} {:>8} {:>7} {:>6} {:>6}  model",
        "series", "n", "period", "MASE", "snaive", "cov80", "cov95", "fit ms", "rMASE", "rcov80", "rcov95"
    );
    for category in ["realAWSCloudwatch", "artificialNoAnomaly", "artificialWithAnomaly"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(category))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files {
            let (step, y) = read(&file)?;
            let cut = y.len() * 4 / 5;
            let (train, test) = y.split_at(cut);
            let day = (86_400.0 / step).round() as usize;
            let m = if day >= 2 && train.len() >= 2 * day { day } else { 1 };
            let scale = train.windows(m + 1).map(|w| (w[m] - w[0]).abs()).sum::<f64>() / (train.len() - m) as f64;
            let start = Instant::now();
            let f = match forecast(train, step, test.len()) {
                Ok(f) => f,
                Err(e) => {
                    println!("{category}/{}: {e}", name(&file));
                    continue;
                }
            };
            let seconds = start.elapsed().as_secs_f64();
            let naive = test.iter().enumerate().map(|(h, v)| (v - train[cut - m + h % m]).abs()).sum::<f64>() / test.len() as f64;
            let (mae, cover80, cover95) = score(&f.points, test);
            let (roll_mae, roll80, roll95) = rolling(&y, cut, step, day.max(1))?;
            let row = Row {
                real: category.starts_with("real"),
                mase: mae / scale,
                naive_mase: naive / scale,
                cover80,
                cover95,
                seconds,
                model: f.model,
                roll_mase: roll_mae / scale,
                roll80,
                roll95,
            };
            println!(
                "{:<52} {:>5} {:>6} {:>7.3} {:>7.3} {:>6.2} {:>6.2} {:>8.1} {:>7.3} {:>6.2} {:>6.2}  {}",
                format!("{category}/{}", name(&file)),
                y.len(),
                m,
                row.mase,
                row.naive_mase,
                row.cover80,
                row.cover95,
                seconds * 1000.0,
                row.roll_mase,
                row.roll80,
                row.roll95,
                f.detail
            );
            rows.push(row);
        }
    }
    println!();
    summary("real (realAWSCloudwatch)", rows.iter().filter(|r| r.real));
    summary("artificial", rows.iter().filter(|r| !r.real));
    summary("all", rows.iter());
    Ok(())
}

fn summary<'a>(what: &str, rows: impl Iterator<Item = &'a Row>) {
    let rows: Vec<&Row> = rows.filter(|r| r.mase.is_finite()).collect();
    if rows.is_empty() {
        return;
    }
    let stat = |f: fn(&Row) -> f64| {
        let mut v: Vec<f64> = rows.iter().map(|r| f(r)).filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (v[v.len() / 2], mean)
    };
    let (mase_med, mase_mean) = stat(|r| r.mase);
    let (naive_med, naive_mean) = stat(|r| r.naive_mase);
    let (c80_med, c80_mean) = stat(|r| r.cover80);
    let (c95_med, c95_mean) = stat(|r| r.cover95);
    let (t_med, t_mean) = stat(|r| r.seconds * 1000.0);
    let (rm_med, rm_mean) = stat(|r| r.roll_mase);
    let (r80_med, r80_mean) = stat(|r| r.roll80);
    let (r95_med, r95_mean) = stat(|r| r.roll95);
    let mut models: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *models.entry(r.model.name()).or_default() += 1;
    }
    println!("{what}: {} series (series with an infinite MASE, a flat fitted part, left out)", rows.len());
    println!("  MASE            median {mase_med:.3}  mean {mase_mean:.3}   (seasonal naive: median {naive_med:.3}  mean {naive_mean:.3})");
    println!("  coverage 80 %   median {c80_med:.3}  mean {c80_mean:.3}");
    println!("  coverage 95 %   median {c95_med:.3}  mean {c95_mean:.3}");
    println!("  fit time ms     median {t_med:.1}  mean {t_mean:.1}");
    println!("  rolling 1 day:  MASE median {rm_med:.3}  mean {rm_mean:.3};  coverage 80 % median {r80_med:.3}  mean {r80_mean:.3};  95 % median {r95_med:.3}  mean {r95_mean:.3}");
    println!("  models chosen   {}", models.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "));
}

fn name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The median step in seconds and the values of a NAB CSV (`timestamp,value`, timestamps
/// `YYYY-MM-DD HH:MM:SS`).
fn read(path: &Path) -> Result<(f64, Vec<f64>), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let (mut times, mut values) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate().skip(1) {
        let (t, v) = line.split_once(',').ok_or_else(|| format!("{}:{}: no comma", path.display(), i + 1))?;
        times.push(seconds(t).ok_or_else(|| format!("{}:{}: bad time {t:?}", path.display(), i + 1))?);
        values.push(v.trim().parse::<f64>()?);
    }
    let mut steps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    steps.sort_unstable();
    let step = steps.get(steps.len() / 2).copied().unwrap_or(300) as f64;
    Ok((step, values))
}

/// Seconds since 1970 of `YYYY-MM-DD HH:MM:SS` (UTC), by the days-from-civil formula.
fn seconds(t: &str) -> Option<i64> {
    let n = |s: &str| s.parse::<i64>().ok();
    let (date, time) = t.trim().split_once(' ')?;
    let mut d = date.split('-');
    let (y, m, day) = (n(d.next()?)?, n(d.next()?)?, n(d.next()?)?);
    let mut c = time.split(':');
    let (hh, mm, ss) = (n(c.next()?)?, n(c.next()?)?, n(c.next()?)?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}
