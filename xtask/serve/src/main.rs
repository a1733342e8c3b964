//! Serves a folder over HTTP on 127.0.0.1 for the demo and the end-to-end
//! tests: a maintained static-file service (tower-http `ServeDir`), `.wasm`
//! as `application/wasm`, no caching surprises (everything revalidates,
//! except what a bundle v2 host is told to cache: shards for ever, the
//! manifest briefly; docs/bundle.md, "Hosting"). Stops on Ctrl-C, or after
//! `--max-seconds` so a server started by a test always ends by itself.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

struct Args {
    root: PathBuf,
    port: u16,
    max_seconds: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        root: PathBuf::from("."),
        port: 8080,
        max_seconds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--root" => args.root = PathBuf::from(value("--root")?),
            "--port" => {
                args.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port takes a number from 0 to 65535")?
            }
            "--max-seconds" => {
                args.max_seconds = Some(
                    value("--max-seconds")?
                        .parse()
                        .map_err(|_| "--max-seconds takes a number")?,
                )
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (expected --root DIR, --port N, --max-seconds N)"
                ));
            }
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("demo-serve: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("demo-serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("demo-serve: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {} is already in use on 127.0.0.1: stop the other server or pick another port with --port",
                args.port
            )
        } else {
            format!("cannot listen on {address}: {e}")
        }
    })?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let files = ServeDir::new(&args.root).append_index_html_on_directories(true);
    let app = Router::new()
        .route("/_slow/{ms}/{*path}", get(slow).with_state(files.clone()))
        .fallback_service(files)
        .layer(middleware::from_fn(caching))
        // Snippets copied from the demo must work when pasted into any
        // page: the module, the wasm and the bundle are fetched with CORS.
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    // The line tests and people read: the URL, on stdout, flushed.
    println!(
        "serving {} on http://{bound}/ (Ctrl-C to stop)",
        args.root.display()
    );
    let max = args.max_seconds;
    let stop = async move {
        match max {
            Some(seconds) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = tokio::time::sleep(Duration::from_secs(seconds)) => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .map_err(|e| e.to_string())
}

/// Sets `Cache-Control` by what was asked for and how it went.
async fn caching(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let value = cache_control(&path, response.status());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Bundle v2 shards are named after their content, so a successful one is
/// cached for ever; a manifest (`index.json`) changes on every build, so
/// it is kept briefly, like docs/bundle.md tells hosts to do. Everything
/// else is for development: always revalidate, so a rebuild shows.
fn cache_control(path: &str, status: StatusCode) -> &'static str {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let parent = dir.rsplit('/').next().unwrap_or("");
    if !status.is_success() {
        "no-cache"
    } else if parent == "shards" && is_shard_name(file) {
        "public, max-age=31536000, immutable"
    } else if file == "index.json" {
        "public, max-age=60"
    } else {
        "no-cache"
    }
}

/// `<24 lowercase hex digits>.json`, the bundler's shard names.
fn is_shard_name(file: &str) -> bool {
    file.strip_suffix(".json").is_some_and(|stem| {
        stem.len() == 24
            && stem
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// `/_slow/<ms>/<path>` serves `<path>` after a delay (capped at 10 s), so
/// the demo can show the widget's loading state on a local server.
async fn slow(
    State(files): State<ServeDir>,
    Path((ms, path)): Path<(u64, String)>,
    request: Request,
) -> Response {
    tokio::time::sleep(Duration::from_millis(ms.min(10_000))).await;
    let query = request
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let Ok(uri) = format!("/{path}{query}").parse::<Uri>() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let (mut parts, body) = request.into_parts();
    parts.uri = uri;
    match files.oneshot(Request::from_parts(parts, body)).await {
        Ok(response) => response.map(Body::new),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_immutable_and_manifests_short_lived() {
        let ok = StatusCode::OK;
        let shard = "/www/big/shards/9f2c0123456789abcdef0123.json";
        assert_eq!(
            cache_control(shard, ok),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("/shards/9f2c0123456789abcdef0123.json", ok),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("/www/big/index.json", ok),
            "public, max-age=60"
        );
        // A missing shard must not be cached, nor anything else.
        assert_eq!(cache_control(shard, StatusCode::NOT_FOUND), "no-cache");
        assert_eq!(cache_control("/www/shards/notes.json", ok), "no-cache");
        assert_eq!(cache_control("/www/bundle.json", ok), "no-cache");
        assert_eq!(
            cache_control("/pkg/dist/article_cards_bg.wasm", ok),
            "no-cache"
        );
        assert_eq!(
            cache_control("/shards/9f2c0123456789abcdef0123.json/x", ok),
            "no-cache"
        );
    }
}
