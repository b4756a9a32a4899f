//! Spawning the binary and talking to it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The repository's root.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository (or `$KULTURNETZ_SHARED`).
pub(crate) fn shared() -> PathBuf {
    std::env::var_os("KULTURNETZ_SHARED").map_or_else(|| repo().join("../shared"), PathBuf::from)
}

pub(crate) fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kulturnetz"))
}

/// Runs `kulturnetz ARGS` in `dir`: (exit code, stdout, stderr).
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run kulturnetz");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A shipped SHACL shapes file, read for the checks every such file must pass.
pub(crate) struct Shapes {
    pub(crate) triples: Vec<oxrdf::Triple>,
}

impl Shapes {
    /// Reads `file` as Turtle; a syntax error fails the test, naming the file.
    pub(crate) fn read(file: &Path) -> Self {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let triples = oxttl::TurtleParser::new()
            .for_slice(text.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        Self { triples }
    }

    /// A term of SHACL's namespace.
    pub(crate) fn sh(local: &str) -> oxrdf::NamedNode {
        oxrdf::NamedNode::new(format!("http://www.w3.org/ns/shacl#{local}")).expect("IRI")
    }

    /// The subjects typed `class`.
    pub(crate) fn of_type(&self, class: &oxrdf::NamedNode) -> Vec<oxrdf::NamedOrBlankNode> {
        self.triples
            .iter()
            .filter(|t| {
                t.predicate == oxrdf::vocab::rdf::TYPE
                    && t.object == oxrdf::Term::from(class.clone())
            })
            .map(|t| t.subject.clone())
            .collect()
    }

    /// The language tags of `s`'s `p` literals, sorted.
    pub(crate) fn languages(
        &self,
        s: &oxrdf::NamedOrBlankNode,
        p: oxrdf::NamedNodeRef<'_>,
    ) -> Vec<String> {
        let mut langs: Vec<String> = self
            .triples
            .iter()
            .filter(|t| &t.subject == s && t.predicate == p)
            .filter_map(|t| match &t.object {
                oxrdf::Term::Literal(l) => l.language().map(str::to_owned),
                _ => None,
            })
            .collect();
        langs.sort();
        langs
    }

    /// Asserts that every node shape has a label and a comment, and every property shape a
    /// name, a description and a message, in German and English; returns the node shapes and
    /// the property shapes.
    pub(crate) fn assert_bilingual(
        &self,
    ) -> (Vec<oxrdf::NamedOrBlankNode>, Vec<oxrdf::NamedOrBlankNode>) {
        use oxrdf::vocab::rdfs;
        let both = vec!["de".to_owned(), "en".to_owned()];
        let nodes = self.of_type(&Self::sh("NodeShape"));
        for shape in &nodes {
            assert_eq!(self.languages(shape, rdfs::LABEL), both, "{shape}");
            assert_eq!(self.languages(shape, rdfs::COMMENT), both, "{shape}");
        }
        let properties = self.of_type(&Self::sh("PropertyShape"));
        for shape in &properties {
            for p in ["name", "description", "message"] {
                assert_eq!(
                    self.languages(shape, Self::sh(p).as_ref()),
                    both,
                    "{shape} {p}"
                );
            }
        }
        (nodes, properties)
    }
}

/// A folder with a `kulturnetz.toml` whose store lives inside it.
pub(crate) struct Site {
    pub(crate) dir: tempfile::TempDir,
}

impl Site {
    /// A site with `[site]`, a store in the folder, and `extra` appended (more sections, sources).
    pub(crate) fn new(extra: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = format!(
            "[site]\nbase_iri = \"https://daten.kultur.example/\"\ntitle = \"Test\"\n\n[store]\npath = \"store\"\n\n{extra}"
        );
        std::fs::write(dir.path().join("kulturnetz.toml"), config).expect("write config");
        Self { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn config(&self) -> PathBuf {
        self.dir.path().join("kulturnetz.toml")
    }

    /// Writes a file into the site's folder.
    pub(crate) fn write(&self, name: &str, content: &str) {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, content).expect("write file");
    }

    /// Runs `kulturnetz ARGS --config <site>`: (exit code, stdout, stderr).
    pub(crate) fn run(&self, args: &[&str]) -> (i32, String, String) {
        let config = self.config();
        let config = config.to_str().expect("a UTF-8 path");
        let mut args = args.to_vec();
        args.extend(["--config", config]);
        run_in(self.path(), &args)
    }

    /// Starts `kulturnetz serve` on a free port, with `env` set.
    pub(crate) fn serve(&self, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = bin();
        command
            .arg("serve")
            .arg("--config")
            .arg(self.config())
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .current_dir(self.path())
            .env_remove("KULTURNETZ_WRITE_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        spawn_server(command)
    }
}

/// Starts `command` (a `kulturnetz serve` that binds a free port) and waits until it listens.
pub(crate) fn spawn_server(mut command: Command) -> Server {
    {
        command.stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn kulturnetz serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr).lines();
            let mut log = String::new();
            for line in lines.by_ref() {
                let Ok(line) = line else { break };
                log.push_str(&line);
                log.push('\n');
                // A JSON log line (`--log-format json`) says the same in its message.
                let message = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| v["message"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| line.clone());
                if let Some(rest) = message.strip_prefix("listening on http://") {
                    let address = rest.split('/').next().unwrap_or_default().to_owned();
                    let _ = tx.send(Ok((address, log.clone())));
                    // Keep draining so the server never blocks on a full pipe.
                    for _ in lines.by_ref() {}
                    return;
                }
            }
            let _ = tx.send(Err(log));
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Ok((address, log))) => Server {
                child,
                url: format!("http://{address}"),
                log,
            },
            Ok(Err(log)) => {
                let _ = child.wait();
                panic!("kulturnetz serve exited before listening:\n{log}")
            }
            Err(_) => {
                let _ = child.kill();
                panic!("kulturnetz serve did not start listening within 120 s")
            }
        }
    }
}

/// A running server; killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
    /// What it printed before listening.
    pub(crate) log: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP client that hands every status back instead of failing on 4xx/5xx.
pub(crate) fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: ureq::http::HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The media type without parameters.
    pub(crate) fn media_type(&self) -> &str {
        self.header("content-type")
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
    }
}

pub(crate) fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("HTTP request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = String::new();
    let _ = response.body_mut().as_reader().read_to_string(&mut body);
    Reply {
        status,
        headers,
        body,
    }
}

/// URL-encodes a form or query-string value.
pub(crate) fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
