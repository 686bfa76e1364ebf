//! Request parameters as Prometheus reads them: for a POST with a form body, the form's
//! fields, then the URL query's; `match[]` may repeat.
//!
//! Reading them is cheap; turning selectors into matchers compiles regular expressions, so
//! handlers call [`Params::matcher_sets`] on the blocking pool.

use axum::extract::{FromRequest, Request};
use axum::http::{header, Method};
use vitals_store::Matcher;

use crate::error::ApiError;
use crate::selector::parse_selector;
use crate::time::parse_time;

/// Largest form body read for parameters.
const FORM_LIMIT: usize = 4 << 20;

/// All parameters of a request: the form body's, then the query's, each in order.
pub(crate) struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Params, ApiError> {
        let query: Vec<(String, String)> =
            req.uri().query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if req.method() != Method::POST || !is_form {
            return Ok(Params(query));
        }
        let body = axum::body::to_bytes(req.into_body(), FORM_LIMIT).await.map_err(|e| ApiError::body(&e, "the form body", FORM_LIMIT))?;
        // The body's values come first, so that they win over the query's, as with Go's
        // Request.FormValue, which Prometheus uses.
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        pairs.extend(query);
        Ok(Params(pairs))
    }
}

impl Params {
    /// The first value of `name`, if given and not empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order, empty ones included.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The matcher sets of every `match[]` (or VictoriaMetrics' `match`) selector; a
    /// selector with `or` gives one set per alternative. Compiles regular expressions:
    /// call it off the async threads.
    pub(crate) fn matcher_sets(&self) -> Result<Vec<Vec<Matcher>>, ApiError> {
        let mut sets = Vec::new();
        for (_, text) in self.0.iter().filter(|(n, _)| n == "match[]" || n == "match") {
            sets.extend(parse_selector(text).map_err(|e| ApiError::bad_data(format!("invalid parameter \"match[]\": {e}")))?);
        }
        Ok(sets)
    }

    /// Like [`Params::matcher_sets`], but at least one selector is required.
    pub(crate) fn required_matcher_sets(&self) -> Result<Vec<Vec<Matcher>>, ApiError> {
        let sets = self.matcher_sets()?;
        if sets.is_empty() {
            return Err(ApiError::bad_data("no match[] parameter provided"));
        }
        Ok(sets)
    }

    /// `start` and `end` in ms, each defaulting to the widest possible time.
    pub(crate) fn time_range(&self) -> Result<(i64, i64), ApiError> {
        let start = self.get("start").map(|t| parse_time("start", t)).transpose()?.unwrap_or(i64::MIN);
        let end = self.get("end").map(|t| parse_time("end", t)).transpose()?.unwrap_or(i64::MAX);
        if end < start {
            return Err(ApiError::bad_data("invalid parameter \"end\": end timestamp must not be before start time"));
        }
        Ok((start, end))
    }

    /// `limit`: the most results to return; absent or 0 means no limit.
    pub(crate) fn limit(&self) -> Result<usize, ApiError> {
        Ok(self.cap("limit")?.unwrap_or(usize::MAX))
    }

    /// A cap given as the parameter `name`: `None` when absent, a whole number, or 0 for no cap
    /// (`usize::MAX`).
    pub(crate) fn cap(&self, name: &str) -> Result<Option<usize>, ApiError> {
        let Some(text) = self.get(name) else { return Ok(None) };
        match text.trim().parse::<u64>() {
            Ok(0) => Ok(Some(usize::MAX)),
            Ok(n) => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
            Err(_) => Err(ApiError::bad_data(format!("invalid parameter \"{name}\": {text:?} is not a whole number (0 for no cap)"))),
        }
    }
}
