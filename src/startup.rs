//! Builds the whole HTTP application (REST API, server functions, SSR pages, static files) over one
//! `AppState`, and runs it until SIGTERM / Ctrl-C, letting in-flight requests finish.

use app::server::auth::guard;
use app::server::db::ConnectError;
use app::server::error::api_error_response;
use app::server::mailer::Mailer;
use app::server::request::REQUEST_ID;
use app::server::security_headers;
use app::server::services::export::ExportBudget;
use app::server::services::outbox;
use app::server::services::users::{ensure_first_super_admin, FirstAdmin};
use app::server::ui::{PageReads, PrincipalCache};
use app::server::{AppState, Config, Db};
use app::{shell, App};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use http::{HeaderValue, StatusCode};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] ConnectError),
    #[error("cannot fill the search index: {0}")]
    SearchIndex(String),
    #[error("cannot create the first Super Admin: {0}")]
    Bootstrap(String),
    #[error("email is not set up: {0}")]
    Mail(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    mailer: Mailer,
    pub first_admin: Option<FirstAdmin>,
}

impl Application {
    /// Connects (migrating), creates the first Super Admin if needed, binds the address
    /// (`127.0.0.1:0` picks a free port, as the tests do).
    pub async fn build(
        config: Config,
        addr: SocketAddr,
        site_root: &str,
    ) -> Result<Application, StartError> {
        let db = Db::connect(&config.database_url).await?;
        app::server::services::search_index::fill_if_empty(&db)
            .await
            .map_err(|e| StartError::SearchIndex(e.to_string()))?;
        let first_admin = ensure_first_super_admin(
            &db,
            config.admin_email.as_deref(),
            config.admin_password.as_deref(),
        )
        .await
        .map_err(|e| StartError::Bootstrap(e.to_api_error().message))?;
        let mut mailer =
            Mailer::new(config.smtp.as_ref(), &config.mail_from).map_err(StartError::Mail)?;
        if let Some(sms) = &config.sms_provider {
            mailer = mailer
                .with_sms_gateway(&sms.url, sms.key.as_deref())
                .map_err(StartError::Mail)?;
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Listen { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| StartError::Listen { addr, source })?;
        let mut config = config;
        if config.public_url.is_none() {
            config.public_url = Some(format!("http://{bound}"));
        }
        let leptos_options = LeptosOptions::builder()
            .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("steward"))
            // cargo-leptos says at build time whether it names the bundle by content hash
            // (`hash-files`); the names themselves are read from `hash.txt` beside the binary.
            .hash_files(option_env!("LEPTOS_HASH_FILES") == Some("true"))
            .site_root(site_root)
            .site_addr(bound)
            .build();
        let exports = ExportBudget::for_db(&db, config.export_stall_timeout);
        let state = AppState {
            db,
            exports,
            config: Arc::new(config),
            leptos_options,
        };
        let router = router(state.clone());
        Ok(Application {
            listener,
            router,
            state,
            mailer,
            first_admin,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn db(&self) -> Db {
        self.state.db.clone()
    }

    /// Serves until SIGTERM / Ctrl-C, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.state.db.clone();
        // Messages are rows: stopping mid-delivery loses none (the lease expires, another round
        // sends it), so the worker simply ends with the process.
        let worker = self.state.config.deliver_outbox.then(|| {
            AbortOnDrop(tokio::spawn(outbox::run_worker(
                db.clone(),
                self.mailer.clone(),
            )))
        });
        serve(
            self.listener,
            self.router,
            ConnectionTimeouts {
                first_request: self.state.config.header_read_timeout,
                idle: self.state.config.idle_connection_timeout,
            },
            shutdown_signal(),
        )
        .await;
        drop(worker);
        db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Ends a spawned task with the future that owns it (the server stopped, or its task aborted).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How long a connection may keep the server waiting.
#[derive(Clone, Copy)]
struct ConnectionTimeouts {
    /// From accept to the first request's complete headers (slowloris).
    first_request: Duration,
    /// Between requests on a kept-alive connection, and for a later request's headers.
    idle: Duration,
}

/// The accept loop. A client that opens connections and trickles its headers (slowloris) is cut
/// off after `first_request` instead of holding a task and a socket forever. hyper's own
/// header-read timer can't be that short: it also runs while a kept-alive connection waits for its
/// next request, so it would close idle connections under a load balancer that is about to reuse
/// them; it gets the longer `idle` instead. Each request carries the peer address
/// (`ConnectInfo`) as `axum::serve` would add it.
async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: ConnectionTimeouts,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use tower::ServiceExt;

    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.idle);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(30)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(err) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        // hyper calls the service once a request's headers are in.
        let first_request = Arc::new(tokio::sync::Notify::new());
        let headers_in = first_request.clone();
        let service =
            hyper::service::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
                headers_in.notify_one();
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request.map(axum::body::Body::new))
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Resets, timeouts and half-sent requests end here; they are the client's business.
            tokio::pin!(connection);
            tokio::select! {
                _ = &mut connection => {}
                _ = first_request.notified() => {
                    let _ = connection.await;
                }
                // No complete request in time: dropping the connection closes it.
                _ = tokio::time::sleep(timeouts.first_request) => {}
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The whole stack. Order of layers (outermost first): request id + log line, security headers,
/// compression, panic → 500 body, body limit, same-origin check, the page render's owner
/// (`page_owner`); then the REST routers, the server functions and the pages.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let body_limit = state.config.body_limit;
    let secure_cookies = state.config.secure_cookies;
    Router::new()
        .merge(app::server::http::router(&state))
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            crate::static_files::pkg_router::<()>(&options.site_root, &options.site_pkg_dir),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            || {
                provide_context(PrincipalCache::default());
                provide_context(PageReads::default());
                crate::page_owner::remember();
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(crate::page_owner::scope))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::require_same_origin,
        ))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            reject_oversized(req, next, body_limit)
        }))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(|_| {
            api_error_response(
                app::server::AppError::Internal("a handler panicked".into()).to_api_error(),
            )
        }))
        .layer(crate::compression::layer())
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            security_headers::add(secure_cookies, req, next)
        }))
        .layer(middleware::from_fn(request_context))
        .with_state(state)
}

/// Server functions answer 500 for failures of their own machinery (a missing or malformed
/// argument) even though the body, our `ApiError`, says 400. Give such responses the status their
/// body states.
async fn server_fn_status(request: Request, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return api_error_response(app::error::ApiError::new(
            500,
            "Something went wrong on our side.",
        ));
    };
    if let Ok(error) = serde_json::from_slice::<app::error::ApiError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// A declared body over the limit is refused before anything reads it (server functions read
/// their bodies themselves, so the extractor limit alone doesn't cover them).
async fn reject_oversized(request: Request, next: Next, limit: usize) -> Response {
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return api_error_response(app::error::ApiError::new(
            413,
            "The request body is too large.",
        ));
    }
    next.run(request).await
}

/// Gives each request an id (kept from `X-Request-Id` when the proxy sent a sane one), runs it in a
/// span carrying that id, logs one line when it ends, and echoes the id in the response.
async fn request_context(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let status = response.status();
    span.in_scope(|| {
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(status = status.as_u16(), elapsed_ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), elapsed_ms, "request finished");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
