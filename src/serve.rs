//! `vitals serve`: the HTTP server, the store, the state database and the collectors,
//! until SIGINT or SIGTERM.
//!
//! Startup: bind the listen address and print one line with its URL (the dashboard's), serve `/-/healthy`
//! at once, open the store (replaying the WAL) and the state database, start the
//! collectors (their anomaly detectors restored from the state database), and only then
//! answer `/-/ready` with 200. Shutdown, on the first signal: stop accepting connections and
//! let requests in flight finish (up to 30 s), stop the collectors (saving the anomaly
//! detectors), close the store (which fsyncs), and record it in the audit log. A second
//! signal exits at once; acknowledged samples are in the WAL either way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use tokio::net::TcpListener;
use vitals_analytics::AnomalyParams;
use vitals_api::{router, App, BuildInfo, Ready};
use vitals_collect::{AnomalyScoring, Scheduler, SchedulerOptions};
use vitals_config::Config;
use vitals_query::{Engine, EngineOptions};
use vitals_state::State;
use vitals_store::Store;

use crate::cli::ServeArgs;
use crate::client::browsable;
use crate::logging;
use crate::shutdown::Signals;
use crate::store_options::open_store;
use crate::version::VERSION;

/// How long requests in flight may take to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(30);

/// Loads the configuration, applies the flags and serves until a signal.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    logging::init(&config.log_level)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let mut signals = Signals::install()?;
    let listener = TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("reading the listen address")?;
    let app = App::new().with_build(BuildInfo { version: VERSION, revision: option_env!("VITALS_GIT_COMMIT").unwrap_or("unknown") });
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let service = router(app.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let mut server = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = http_stopped.await;
            })
            .await
    });
    println!("Vitals {VERSION} listening on http://{}/ (data directory {})", browsable(addr), config.data_dir.display());

    let started = Instant::now();
    let running = match Running::start(&config, addr, &app).await {
        Ok(r) => r,
        Err(e) => {
            let _ = stop_http.send(());
            let _ = server.await;
            return Err(e);
        }
    };
    tracing::info!(%addr, "ready");

    let server_done = tokio::select! {
        signal = signals.recv() => {
            tracing::info!("received {signal}: shutting down (send it again to exit at once)");
            None
        }
        result = &mut server => Some(result),
    };
    tokio::spawn(async move {
        let signal = signals.recv().await;
        eprintln!("received {signal} again: exiting without a clean shutdown (acknowledged samples are in the WAL)");
        std::process::exit(1);
    });
    // Live event streams never end by themselves: end them, or the drain would wait for them.
    app.close_streams();
    let _ = stop_http.send(());
    let http_result = match server_done {
        Some(result) => Some(result),
        None => match tokio::time::timeout(DRAIN, &mut server).await {
            Ok(result) => Some(result),
            Err(_) => {
                tracing::warn!("requests still running after {DRAIN:?}; closing the store anyway");
                None
            }
        },
    };
    running.stop(started.elapsed()).await?;
    match http_result {
        Some(Ok(Err(e))) => Err(anyhow::Error::new(e).context("the HTTP server failed")),
        Some(Err(e)) => Err(anyhow::Error::new(e).context("the HTTP server task failed")),
        _ => Ok(()),
    }
}

/// What runs once the store is open.
struct Running {
    store: Store,
    state: Arc<State>,
    scheduler: Scheduler,
}

impl Running {
    /// Opens the store and the state database, starts the collectors and marks the app
    /// ready, on the blocking pool (all of it reads or writes files). On failure the store,
    /// if opened, is closed again.
    async fn start(config: &Config, addr: SocketAddr, app: &App) -> anyhow::Result<Running> {
        let (config, app) = (config.clone(), app.clone());
        tokio::task::spawn_blocking(move || Running::open(&config, addr, &app)).await.context("starting up")?
    }

    fn open(config: &Config, addr: SocketAddr, app: &App) -> anyhow::Result<Running> {
        let store = open_store(&config.data_dir, &config.storage, true, "")?;
        match Running::with_store(config, addr, app, &store) {
            Ok((state, scheduler)) => Ok(Running { store, state, scheduler }),
            Err(e) => {
                if let Err(close) = store.close() {
                    tracing::error!("closing the store: {close}");
                }
                Err(e)
            }
        }
    }

    fn with_store(config: &Config, addr: SocketAddr, app: &App, store: &Store) -> anyhow::Result<(Arc<State>, Scheduler)> {
        let state = Arc::new(State::open(&config.data_dir)?);
        let summary = serde_json::to_value(config).context("summarising the configuration")?;
        state.audit("vitals", "serve.start", json!({"version": VERSION, "listen": addr.to_string(), "config": summary}))?;
        let (collectors, not_run) = vitals_collect::collectors(&config.collection, store, VERSION)?;
        let opts = SchedulerOptions {
            interval: config.collection.interval,
            base_labels: vec![("job".to_owned(), "vitals".to_owned()), ("instance".to_owned(), addr.to_string())],
            not_run,
        };
        let anomaly_scores =
            config.collection.anomaly_scores.then(|| AnomalyScoring { params: AnomalyParams::default(), state: Some(state.clone()) });
        let scheduler = Scheduler::start_with(store, collectors, opts, anomaly_scores).context("starting the collectors")?;
        if let Some(r) = scheduler.restored_detectors() {
            tracing::info!("restored {} anomaly detectors ({} saved)", r.restored, r.saved);
        }
        let q = &config.query;
        let engine_opts = EngineOptions {
            timeout: q.timeout,
            max_samples: usize::try_from(q.max_samples).unwrap_or(usize::MAX),
            lookback_delta: q.lookback_delta,
        };
        let engine = Engine::new(store.clone(), engine_opts);
        app.set_live(scheduler.cycles(), config.collection.interval);
        app.set_ready(Ready {
            store: store.clone(),
            state: state.clone(),
            latest: scheduler.latest(),
            collectors: scheduler.statuses(),
            engine,
        });
        Ok((state, scheduler))
    }

    /// Stops the collectors, closes the store and records the stop, on the blocking pool.
    async fn stop(self, uptime: Duration) -> anyhow::Result<()> {
        let Running { store, state, scheduler } = self;
        tokio::task::spawn_blocking(move || {
            scheduler.stop();
            store.close().context("closing the store")?;
            state.audit("vitals", "serve.stop", json!({"version": VERSION, "uptime_seconds": uptime.as_secs()}))?;
            anyhow::Ok(())
        })
        .await
        .context("stopping")??;
        tracing::info!("stopped cleanly");
        Ok(())
    }
}
