//! Contextual anomaly detection after CAD OSE (M. Smirnov's Contextual Anomaly Detector,
//! open-source edition, third in NAB's published table), written from its description:
//!
//! - Each value becomes **facts**: its bin among 8 over the range seen so far (3 bits; a
//!   fact is one bit's position and value).
//! - A **context** pairs a left set of facts (the previous sample's facts plus the contexts
//!   that were active then, as "neuron" facts) with a right set (the current sample's
//!   facts). Every (previous group, current facts) pair is remembered as a zero-level
//!   context; when one is new, the partial overlaps of remembered zero-level contexts with
//!   the present give further, more general contexts.
//! - Each step, the contexts whose left side the previous group matched wholly are
//!   "selected"; those whose right side the current facts match wholly are "active". The
//!   raw anomaly is `(1 - active/selected + new/candidates) / 2`, given only when the
//!   current facts were not all predicted (the right sides of the selected contexts with the
//!   best hit rate predict the next facts).
//! - The most used active contexts (at most [`MAX_ACTIVE`]) become facts of the next left
//!   group: contexts of contexts, so longer sequences are learnt.
//!
//! Differences from the published code: the range is the one seen so far rather than the
//! whole file's (a stream has no look-ahead); memory is capped at [`MAX_CONTEXTS`] contexts,
//! after which nothing new is learnt (known contexts still select, activate and predict)
//! and new behaviour counts as unrecognised; ties between equally used active contexts go to
//! the newer. Hand-written: no crate offers this detector.

use std::collections::HashMap;

/// Bits of a value's bin (CAD OSE's `numNormValueBits`).
const BITS: usize = 3;
/// The largest bin.
const TOP_BIN: f64 = ((1 << BITS) - 1) as f64;
/// Facts of a sample: bit `i` with value `b` is fact `2 i + b`.
const SENSOR_FACTS: u32 = 2 * BITS as u32;
/// Most facts in the left side of a context made by crossing (`maxLeftSemiContextsLenght`).
const MAX_LEFT: usize = 7;
/// Most active contexts carried to the next step as facts (`maxActiveNeuronsNum`).
pub(crate) const MAX_ACTIVE: usize = 15;
/// Most contexts remembered: the bound of the state.
pub(crate) const MAX_CONTEXTS: usize = 1 << 30;

/// One side of some contexts: a set of facts, and how the present crosses it.
#[derive(Debug, Clone, Default)]
struct Side {
    facts: Vec<u32>,
    /// The facts of the last crossing that are in this side, when `stamp` is current.
    crossed: Vec<u32>,
    stamp: u32,
    /// For a left side: (right side, context) pairs.
    contexts: Vec<(u32, u32)>,
}

/// A remembered pair of sides with its record.
#[derive(Debug, Clone, Copy)]
struct Context {
    right: u32,
    /// Facts its right side could have matched, summed over the steps it was selected.
    tried: u32,
    /// Facts of those that matched.
    hit: u32,
    /// Steps it was active.
    used: u32,
    zero_level: bool,
}

/// Which side of a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hand {
    Left,
    Right,
}

/// A CAD OSE context memory for one series.
#[derive(Debug, Clone, Default)]
pub struct Cad {
    lo: f64,
    hi: f64,
    started: bool,
    x_warm: u32,
    x_seen: u32,
    x_margin: f64,
    x_grow: bool,
    sides: [Vec<Side>; 2],
    by_facts: [HashMap<Vec<u32>, u32>; 2],
    /// Per fact, the sides holding it.
    holding: [Vec<Vec<u32>>; 2],
    crossed: [Vec<u32>; 2],
    stamp: [u32; 2],
    contexts: Vec<Context>,
    left_group: Vec<u32>,
    /// The facts predicted for this step, one bit each.
    predicted: u32,
    new_context: Option<u32>,
    // Scratch, kept to avoid allocating per sample.
    active: Vec<u32>,
    candidates: Vec<(Vec<u32>, Vec<u32>)>,
}

impl Cad {
    /// An empty memory.
    pub fn new() -> Cad {
        Cad::default()
    }

    /// Experiment: warm-up.
    pub fn warm(n: u32, margin: f64, grow: bool) -> Cad {
        Cad { x_warm: n, x_margin: margin, x_grow: grow, ..Cad::default() }
    }

    /// Experiment: a fixed range.
    pub fn with_range(lo: f64, hi: f64) -> Cad {
        Cad { lo, hi, started: true, ..Cad::default() }
    }

    /// Contexts remembered.
    pub fn len(&self) -> usize {
        self.contexts.len()
    }

    /// Learns finite `x` and answers its raw anomaly in [0, 1].
    pub fn push(&mut self, x: f64) -> f64 {
        if self.x_warm > 0 {
            if self.x_seen == 0 {
                (self.lo, self.hi) = (x, x);
            }
            self.x_seen += 1;
            if self.x_seen <= self.x_warm {
                self.lo = self.lo.min(x);
                self.hi = self.hi.max(x);
                if self.x_seen == self.x_warm {
                    let m = (self.hi - self.lo) * self.x_margin;
                    self.lo -= m;
                    self.hi += m;
                }
                return 0.0;
            }
            if self.x_grow {
                self.lo = self.lo.min(x);
                self.hi = self.hi.max(x);
            }
        } else {
        if !self.started {
            (self.lo, self.hi, self.started) = (x, x, true);
        }
        self.lo = self.lo.min(x);
        self.hi = self.hi.max(x);
        }
        let span = self.hi - self.lo;
        // In [0, TOP_BIN]: the cast truncates a value already clamped to that range.
        let bin = if span > 0.0 { ((x - self.lo) / span * TOP_BIN).clamp(0.0, TOP_BIN) as u32 } else { 0 };
        let mut facts = [0u32; BITS];
        let mut unpredicted = false;
        for (i, fact) in facts.iter_mut().enumerate() {
            *fact = 2 * i as u32 + (bin >> i & 1);
            unpredicted |= self.predicted & 1 << *fact == 0;
        }
        let (selected_active, added) = self.step(&facts);
        if unpredicted {
            (1.0 - selected_active + added) / 2.0
        } else {
            0.0
        }
    }

    /// One step of the memory with the current facts (ascending): the share of selected
    /// contexts that are active, and the share of candidate contexts that were new.
    fn step(&mut self, facts: &[u32]) -> (f64, f64) {
        let mut new_zero = false;
        if !self.left_group.is_empty() {
            let left = std::mem::take(&mut self.left_group);
            match self.remember(&left, facts, true) {
                Some(id) => {
                    new_zero = true;
                    self.new_context = Some(id);
                }
                None => self.new_context = None,
            }
            self.left_group = left;
        }
        self.cross(Hand::Right, facts);
        let selected = self.review(new_zero);
        let selected_active = if selected > 0 { self.active.len() as f64 / selected as f64 } else { 0.0 };
        // Distinct candidates, the zero-level context among them.
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.sort_unstable();
        candidates.dedup();
        let distinct = candidates.len() + usize::from(new_zero);
        let contexts = &self.contexts;
        self.active.sort_unstable_by_key(|&c| (contexts[c as usize].used, c));
        self.left_group.clear();
        self.left_group.extend_from_slice(facts);
        let first_neuron = self.active.len().saturating_sub(MAX_ACTIVE);
        self.left_group.extend(self.active[first_neuron..].iter().map(|&c| SENSOR_FACTS + c));
        self.left_group.sort_unstable();
        let mut added = usize::from(new_zero);
        for (left, right) in &candidates {
            added += usize::from(self.remember(left, right, false).is_some());
        }
        candidates.clear();
        self.candidates = candidates;
        let group = std::mem::take(&mut self.left_group);
        self.cross(Hand::Left, &group);
        self.left_group = group;
        self.predict();
        let added = if new_zero && distinct > 0 { added as f64 / distinct as f64 } else { 0.0 };
        (selected_active, added)
    }

    /// The context (`left`, `right`): `Some(id)` if it was new and is now remembered; `None`
    /// if it was known (then marked zero-level if `zero_level`) or the memory is full.
    fn remember(&mut self, left: &[u32], right: &[u32], zero_level: bool) -> Option<u32> {
        let full = self.contexts.len() >= MAX_CONTEXTS;
        let (Some(l), Some(r)) = (self.side(Hand::Left, left, full), self.side(Hand::Right, right, full)) else { return None };
        if let Some(&(_, c)) = self.sides[0][l as usize].contexts.iter().find(|(rr, _)| *rr == r) {
            self.contexts[c as usize].zero_level |= zero_level;
            return None;
        }
        if full {
            return None;
        }
        // Below MAX_CONTEXTS, which fits in u32.
        let id = self.contexts.len() as u32;
        self.contexts.push(Context { right: r, tried: 0, hit: 0, used: 0, zero_level });
        self.sides[0][l as usize].contexts.push((r, id));
        Some(id)
    }

    /// The side of `hand` with `facts`, made if missing and `!full`.
    fn side(&mut self, hand: Hand, facts: &[u32], full: bool) -> Option<u32> {
        let h = hand as usize;
        if let Some(&id) = self.by_facts[h].get(facts) {
            return Some(id);
        }
        if full {
            return None;
        }
        // Sides are at most two per context, so fewer than 2 * MAX_CONTEXTS.
        let id = self.sides[h].len() as u32;
        self.by_facts[h].insert(facts.to_vec(), id);
        self.sides[h].push(Side { facts: facts.to_vec(), ..Side::default() });
        for &f in facts {
            let f = f as usize;
            if self.holding[h].len() <= f {
                self.holding[h].resize(f + 1, Vec::new());
            }
            self.holding[h][f].push(id);
        }
        Some(id)
    }

    /// Crosses the sides of `hand` with `facts`: each side keeps the facts it holds, and
    /// those holding any are listed in `crossed`.
    fn cross(&mut self, hand: Hand, facts: &[u32]) {
        let h = hand as usize;
        self.stamp[h] = self.stamp[h].wrapping_add(1);
        let stamp = self.stamp[h];
        self.crossed[h].clear();
        for &f in facts {
            let Some(holders) = self.holding[h].get(f as usize) else { continue };
            for &s in holders {
                let side = &mut self.sides[h][s as usize];
                if side.stamp != stamp {
                    side.stamp = stamp;
                    side.crossed.clear();
                    self.crossed[h].push(s);
                }
                side.crossed.push(f);
            }
        }
    }

    /// Scores the contexts selected by the previous left group against the current facts
    /// (already crossed): fills `active` and, if a new zero-level context was made,
    /// `candidates`; answers how many were selected.
    fn review(&mut self, new_zero: bool) -> usize {
        self.active.clear();
        self.candidates.clear();
        let (left_stamp, right_stamp) = (self.stamp[0], self.stamp[1]);
        let mut selected = 0;
        for &l in &self.crossed[0] {
            let left = &self.sides[0][l as usize];
            if left.stamp != left_stamp {
                continue;
            }
            let whole = left.crossed.len() == left.facts.len();
            for &(r, c) in &left.contexts {
                if self.new_context == Some(c) {
                    continue;
                }
                let right = &self.sides[1][r as usize];
                let matched = if right.stamp == right_stamp { right.crossed.len() } else { 0 };
                let context = &mut self.contexts[c as usize];
                let candidate = context.zero_level && new_zero && matched > 0 && left.crossed.len() <= MAX_LEFT;
                if whole {
                    selected += 1;
                    context.tried += right.facts.len() as u32;
                    context.hit += matched as u32;
                    if matched > 0 && matched == right.facts.len() {
                        context.used += 1;
                        self.active.push(c);
                        continue;
                    }
                }
                if candidate {
                    self.candidates.push((left.crossed.clone(), right.crossed.clone()));
                }
            }
        }
        self.new_context = None;
        selected
    }

    /// The facts predicted for the next step: the right sides of the contexts, wholly
    /// selected by the left group just crossed, with the best hit rate.
    fn predict(&mut self) {
        self.predicted = 0;
        let mut best = 0.0;
        let stamp = self.stamp[0];
        for &l in &self.crossed[0] {
            let left = &self.sides[0][l as usize];
            if left.stamp != stamp || left.crossed.len() != left.facts.len() {
                continue;
            }
            for &(_, c) in &left.contexts {
                let context = self.contexts[c as usize];
                let rate = if context.tried > 0 { f64::from(context.hit) / f64::from(context.tried) } else { 0.0 };
                if rate > best {
                    best = rate;
                    self.predicted = 0;
                }
                if rate == best {
                    self.predicted |= self.sides[1][context.right as usize].facts.iter().fold(0, |m, &f| m | 1 << f);
                }
            }
        }
    }
}
