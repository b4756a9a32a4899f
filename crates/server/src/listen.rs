//! Accepting connections (HTTP/1.1, RFC 9112) within limits: at most `max_connections` open at
//! once, and a connection that has not sent a whole request head within `header_read_timeout`
//! (a new one, or a kept-alive one between requests) is closed, so that idle or half-sent
//! connections cannot pile up.
//!
//! Each connection is served on a thread of its own, by a single-threaded runtime: a query is
//! evaluated on the thread that read its request and writes its answer, with no hand-over to
//! another thread and back on the path of every request (what a SPARQL query needs is CPU on
//! one thread, as in Oxigraph's and Fuseki's servers). `max_connections` bounds the threads
//! busy with a connection. A thread whose connection ends waits a minute for the next one
//! ([`Threads`]): starting a thread, its allocator's heap and its runtime for every connection
//! cost more than answering a small query.

use crate::ServerOptions;
use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::pin;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt as _;

/// The stack of every thread that parses or evaluates SPARQL. Both recurse over a query's
/// structure; a generous stack (virtual memory, touched only as deep as a query goes) keeps
/// legal queries with long operator chains from overflowing it. Nesting beyond what this
/// covers is refused before parsing (`kulturnetz_sparql::MAX_NESTING`).
pub const STACK_SIZE: usize = 256 << 20;

thread_local! {
    static CONNECTION: RefCell<Option<Arc<std::net::TcpStream>>> = const { RefCell::new(None) };
}

/// When the current thread serves one connection alone (so that a handler may keep it busy
/// for as long as its request takes): that connection's socket, for an answer that cannot
/// wait for the handler (see `watchdog.rs`).
pub(crate) fn connection_socket() -> Option<Arc<std::net::TcpStream>> {
    CONNECTION.with(|c| c.borrow().clone())
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM, then lets the requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: &ServerOptions,
) -> std::io::Result<()> {
    let max = options.max_connections.max(1);
    let connections = Arc::new(Semaphore::new(max));
    let threads = Arc::new(Threads::default());
    let (closing, closed) = watch::channel(false);
    let mut stop = pin!(shutdown_signal());
    loop {
        // Past the limit, new connections wait in the kernel's backlog until one closes.
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Small answers go out at once instead of waiting for more to send.
        let _ = stream.set_nodelay(true);
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!("cannot take over a connection: {e}");
                continue;
            }
        };
        let connection = Connection {
            app: app.clone(),
            header_read_timeout: options.header_read_timeout,
            closed: closed.clone(),
            _permit: permit,
        };
        if let Err(e) = threads.serve(connection, stream) {
            // Out of threads or memory: the connection is closed; wait a little for others to end.
            tracing::warn!("cannot start a thread for a connection: {e}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection gives its permit back when it ends.
    let _ = connections
        .acquire_many(u32::try_from(max).unwrap_or(u32::MAX))
        .await;
    Ok(())
}

/// How long a thread whose connection ended waits for another before it ends.
const IDLE_THREAD: Duration = Duration::from_secs(60);

/// The threads that serve connections, and the connections handed to those waiting for one.
#[derive(Default)]
struct Threads {
    waiting: Mutex<Waiting>,
    handed: Condvar,
}

#[derive(Default)]
struct Waiting {
    connections: VecDeque<(Connection, std::net::TcpStream)>,
    /// Threads waiting for a connection; never fewer than `connections`.
    idle: usize,
}

impl Threads {
    /// Serves `stream` on a waiting thread, or on a new one if none waits.
    fn serve(
        self: &Arc<Self>,
        connection: Connection,
        stream: std::net::TcpStream,
    ) -> std::io::Result<()> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        if waiting.idle > waiting.connections.len() {
            waiting.connections.push_back((connection, stream));
            drop(waiting);
            self.handed.notify_one();
            return Ok(());
        }
        drop(waiting);
        let threads = Arc::clone(self);
        std::thread::Builder::new()
            .name("kulturnetz-connection".into())
            .stack_size(STACK_SIZE)
            .spawn(move || threads.run(connection, stream))
            .map(drop)
    }

    /// A thread's life: its first connection, then those handed to it, until none comes for
    /// [`IDLE_THREAD`].
    fn run(&self, connection: Connection, stream: std::net::TcpStream) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                tracing::warn!("cannot serve a connection: {e}");
                return;
            }
        };
        let mut next = Some((connection, stream));
        while let Some((connection, stream)) = next {
            connection.serve(&runtime, stream);
            next = self.next();
        }
    }

    /// The next connection handed to this thread, or `None` when none came in time.
    fn next(&self) -> Option<(Connection, std::net::TcpStream)> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        waiting.idle += 1;
        loop {
            if let Some(handed) = waiting.connections.pop_front() {
                waiting.idle -= 1;
                return Some(handed);
            }
            let (guard, wait) = self
                .handed
                .wait_timeout(waiting, IDLE_THREAD)
                .unwrap_or_else(PoisonError::into_inner);
            waiting = guard;
            if wait.timed_out() && waiting.connections.is_empty() {
                waiting.idle -= 1;
                return None;
            }
        }
    }
}

/// One accepted connection and what serving it needs.
struct Connection {
    app: Router,
    header_read_timeout: Duration,
    /// Changes when the server stops: the connection ends after its request in flight.
    closed: watch::Receiver<bool>,
    /// The connection's place within `max_connections`, given back when it ends.
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    /// Serves the connection's requests on this thread, with its `runtime`, until it closes.
    fn serve(mut self, runtime: &tokio::runtime::Runtime, stream: std::net::TcpStream) {
        match stream.try_clone() {
            Ok(socket) => CONNECTION.with(|c| *c.borrow_mut() = Some(Arc::new(socket))),
            Err(e) => tracing::warn!("a connection's queries go to the blocking pool: {e}"),
        }
        runtime.block_on(async move {
            let stream = match TcpStream::from_std(stream) {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::warn!("cannot serve a connection: {e}");
                    return;
                }
            };
            let service = TowerToHyperService::new(
                self.app
                    .map_request(|request: hyper::Request<Incoming>| request.map(Body::new)),
            );
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(self.header_read_timeout);
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!("connection ended: {e}");
                    }
                }
                _ = self.closed.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // The socket closes with the last handle to it.
        CONNECTION.with(|c| c.borrow_mut().take());
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};

    /// Sends one request on a new connection and reads the answer's body (the connection
    /// closes after it).
    fn ask(address: std::net::SocketAddr) -> String {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer.split("\r\n\r\n").nth(1).expect("a body").to_owned()
    }

    #[test]
    fn a_thread_serves_the_next_connection_when_its_own_ends() {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let address = listener.local_addr().expect("address");
        // Each answer names the thread that served it. Between two connections one after the
        // other, the first's thread has time to be waiting again.
        let app = Router::new().route(
            "/",
            axum::routing::get(|| async { format!("{:?}", std::thread::current().id()) }),
        );
        let options = ServerOptions::default();
        runtime.spawn(async move { serve(listener, app, &options).await });
        let first = ask(address);
        std::thread::sleep(Duration::from_millis(200));
        let second = ask(address);
        assert_eq!(first, second, "a new thread for the second connection");
        // Two connections at once: two threads. The first, kept open, is the waiting thread's.
        std::thread::sleep(Duration::from_millis(200));
        let mut open = std::net::TcpStream::connect(address).expect("connect");
        open.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("write");
        let mut answer = Vec::new();
        let mut buffer = [0u8; 256];
        while !answer.ends_with(b")") {
            let n = open.read(&mut buffer).expect("read");
            assert!(n > 0, "{}", String::from_utf8_lossy(&answer));
            answer.extend_from_slice(&buffer[..n]);
        }
        let answer = String::from_utf8_lossy(&answer);
        let kept = answer.split("\r\n\r\n").nth(1).expect("a body");
        assert_eq!(kept, first);
        assert_ne!(ask(address), first);
    }
}
