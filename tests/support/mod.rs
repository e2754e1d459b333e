//! Runs the real `lookwire` binary for end-to-end tests.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A `lookwire serve` child process on an ephemeral loopback port.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts the binary on `store` and waits for the address it prints.
    pub fn start(store: &Path, demo: bool) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lookwire"));
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--store"])
            .arg(store);
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the lookwire binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("the server prints its URL").unwrap();
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.trim_end_matches('/').parse().unwrap();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, addr }
    }

    /// Kills the server with SIGKILL (no shutdown code runs) and reaps it.
    pub fn sigkill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// GET a JSON document (plain HTTP/1.1 over TCP; no client library needed).
    pub async fn get(&self, path: &str) -> Value {
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        stream.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    /// Every stored event, oldest first.
    pub async fn events(&self) -> Vec<Value> {
        let mut all = Vec::new();
        loop {
            let since = all.len();
            let page = self
                .get(&format!("/api/v1/events?since={since}&limit=1000"))
                .await;
            let page = page.as_array().unwrap().clone();
            if page.is_empty() {
                return all;
            }
            all.extend(page);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
