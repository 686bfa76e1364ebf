//! What one analysis request may spend: a deadline and a most number of series, shared by
//! every analysis route so that no request runs without bound (an analysis of every series
//! of a host over 11,000 points can take minutes).
//!
//! - The deadline is the engine's configured query timeout (`--query.timeout`), counted
//!   from the request's arrival; the request's `timeout` parameter may shorten it, as for
//!   `/api/v1/query`. The engine's evaluations get what is left of it, and the routes check
//!   it between series. Past it: 503 with Prometheus' `timeout` error.
//! - `max_series` (default per route; 0: no cap) bounds the series an expression may give:
//!   more is refused with 422 `execution`, saying how many there were.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use vitals_query::Engine;

use crate::error::ApiError;
use crate::params::Params;
use crate::routes::query::request_timeout;

/// The deadline and the series cap of one analysis request, and the engine to evaluate with.
#[derive(Clone)]
pub(crate) struct Budget {
    engine: Engine,
    started: Instant,
    timeout: Duration,
    max_series: usize,
    what: &'static str,
}

impl Budget {
    /// The budget of a request to the analysis `what` (as error messages name it) with
    /// `default_max_series` unless the request's `max_series` says otherwise.
    pub(crate) fn new(engine: &Engine, params: &Params, what: &'static str, default_max_series: usize) -> Result<Budget, ApiError> {
        let started = Instant::now();
        let timeout = request_timeout(engine, params)?;
        let max_series = params.cap("max_series")?.unwrap_or(default_max_series);
        Ok(Budget { engine: engine.clone(), started, timeout, max_series, what })
    }

    /// The engine to evaluate with: its timeout is what is left of the request's; an error
    /// when nothing is left.
    pub(crate) fn engine(&self) -> Result<Engine, ApiError> {
        let left = self.left().ok_or_else(|| self.timed_out("before evaluating the expression".to_owned()))?;
        let mut options = self.engine.options().clone();
        options.timeout = left;
        Ok(self.engine.with_options(options))
    }

    /// Checks the deadline after `done` of `total` series were analysed.
    pub(crate) fn check(&self, done: usize, total: usize) -> Result<(), ApiError> {
        match self.left() {
            Some(_) => Ok(()),
            None => Err(self.timed_out(format!("after {done} of {total} series"))),
        }
    }

    /// Refuses `count` series from the expression in `param` when more than the cap.
    pub(crate) fn series(&self, param: &str, count: usize) -> Result<(), ApiError> {
        if count <= self.max_series {
            return Ok(());
        }
        Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error_type: "execution",
            message: format!(
                "parameter \"{param}\" gives {count} series, more than the {} the {} analyses in one request (parameter \"max_series\"); narrow the selector or raise max_series",
                self.max_series, self.what
            ),
        })
    }

    /// The time left before the deadline; `None` once past it.
    fn left(&self) -> Option<Duration> {
        self.timeout.checked_sub(self.started.elapsed()).filter(|d| !d.is_zero())
    }

    fn timed_out(&self, when: String) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error_type: "timeout",
            message: format!("query timed out in {} {when} (timeout {} ms)", self.what, self.timeout.as_millis()),
        }
    }
}
