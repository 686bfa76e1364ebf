//! What Grafana's Prometheus data source asks when it is saved and tested and when a
//! dashboard loads: build info (to pick API features), an instant query, label names and
//! values, and range queries by POST form; each answer has the shape Grafana parses.

use serde_json::Value;

use crate::demo::{self, T0, T_END};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn grafana_data_source_checks_and_panel_queries() {
    let dir = tempfile::tempdir().unwrap();
    let server = demo::server(dir.path());

    // Version detection: a semver version at least 2.x and no `features` (else Mimir).
    let (status, body) = server.get("/api/v1/status/buildinfo");
    assert_eq!(status, 200, "{body}");
    let info = json(&body);
    let version = info["data"]["version"].as_str().unwrap();
    let major: u32 = version.split('.').next().unwrap().parse().unwrap();
    assert!(major >= 2 && version.split('.').count() == 3, "{version}");
    assert!(info["data"].get("features").is_none());
    // A data source that answers the flags route is taken for Thanos.
    assert_eq!(server.get("/api/v1/status/flags").0, 404);

    // Save & test: `1+1` as an instant query, POSTed as a form.
    let form = "query=1%2B1&time=1700000600";
    let (status, body) =
        server.try_post("/api/v1/query", &[("content-type", "application/x-www-form-urlencoded")], form.as_bytes()).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body), json(r#"{"status":"success","data":{"resultType":"scalar","result":[1700000600,"2"]}}"#));

    // The metric browser and label filters.
    let range = [("start", T0.to_string()), ("end", T_END.to_string())];
    let range: Vec<(&str, &str)> = range.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, body) = server.get_with("/api/v1/label/__name__/values", &range);
    assert_eq!(json(&body), json(r#"{"status":"success","data":["demo_requests_total","demo_temperature_celsius"]}"#));
    let (_, body) = server.get_with("/api/v1/labels", &[&range[..], &[("match[]", "demo_temperature_celsius")]].concat());
    assert_eq!(json(&body)["data"], json(r#"["__name__","room"]"#));
    let (_, body) = server.get_with("/api/v1/series", &[&range[..], &[("match[]", "demo_requests_total")]].concat());
    assert_eq!(json(&body)["data"].as_array().unwrap().len(), 2);
    let (_, body) = server.get_with("/api/v1/metadata", &[("metric", "demo_temperature_celsius")]);
    assert_eq!(json(&body)["data"]["demo_temperature_celsius"][0]["type"], "gauge");

    // A panel: a range query with Grafana's parameters (integer step in seconds).
    let form = format!("query=sum+by+(code)+(rate(demo_requests_total%5B1m%5D))&start={}&end={T_END}&step=60", T_END - 300);
    let (status, body) =
        server.try_post("/api/v1/query_range", &[("content-type", "application/x-www-form-urlencoded")], form.as_bytes()).unwrap();
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["status"], "success");
    assert_eq!(v["data"]["resultType"], "matrix");
    let result = v["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 2, "{body}");
    assert_eq!(result[0]["metric"], json(r#"{"code":"200"}"#));
    let values = result[0]["values"].as_array().unwrap();
    assert_eq!(values.len(), 6, "{body}");
    for (i, point) in values.iter().enumerate() {
        assert_eq!(point[0].as_i64(), Some(T_END - 300 + 60 * i as i64), "{body}");
        let value: f64 = point[1].as_str().unwrap().parse().unwrap();
        assert!((value - 1.0).abs() < 1e-9, "{body}");
    }

    // An error as Grafana shows it: Prometheus' envelope with errorType and error.
    let (status, body) = server.get_with("/api/v1/query", &[("query", "rate(demo_requests_total)")]);
    assert_eq!(status, 400);
    let v = json(&body);
    assert_eq!((v["status"].as_str(), v["errorType"].as_str()), (Some("error"), Some("bad_data")));
    assert!(v["error"].as_str().unwrap().starts_with("invalid parameter \"query\": "), "{body}");
}
