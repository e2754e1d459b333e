//! A simulated Videohub: sends the v2.3 status dump on connect, checks every client block
//! strictly (NAK for anything it does not understand), applies routes and labels, and
//! broadcasts each change to every client, as panel changes are ([`VideohubSim::panel_route`]).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::videohub::{Block, BlockParser};

#[derive(Debug)]
struct Router {
    inputs: Vec<String>,
    outputs: Vec<String>,
    routes: Vec<usize>,
}

impl Router {
    fn dump(&self) -> Vec<Block> {
        let idx = |v: &[String]| {
            v.iter()
                .enumerate()
                .map(|(i, l)| format!("{i} {l}"))
                .collect()
        };
        vec![
            Block::new("PROTOCOL PREAMBLE", vec!["Version: 2.3".into()]),
            Block::new(
                "VIDEOHUB DEVICE",
                vec![
                    "Device present: true".into(),
                    "Model name: Smart Videohub 12x12 (simulated)".into(),
                    format!("Video inputs: {}", self.inputs.len()),
                    "Video processing units: 0".into(),
                    format!("Video outputs: {}", self.outputs.len()),
                    "Video monitoring outputs: 0".into(),
                    "Serial ports: 0".into(),
                ],
            ),
            Block::new("INPUT LABELS", idx(&self.inputs)),
            Block::new("OUTPUT LABELS", idx(&self.outputs)),
            self.routing(),
            Block::new(
                "VIDEO OUTPUT LOCKS",
                (0..self.outputs.len()).map(|i| format!("{i} U")).collect(),
            ),
            Block::new("END PRELUDE", vec![]),
        ]
    }

    fn routing(&self) -> Block {
        Block::new(
            "VIDEO OUTPUT ROUTING",
            self.routes
                .iter()
                .enumerate()
                .map(|(o, i)| format!("{o} {i}"))
                .collect(),
        )
    }

    /// Applies a client's block; `Ok(Some(block))` is the change to broadcast, `Ok(None)`
    /// an ACK with nothing to broadcast, `Err` a NAK.
    fn request(&mut self, b: &Block) -> Result<Reply, String> {
        match (b.header.as_str(), b.lines.is_empty()) {
            ("PING", true) => Ok(Reply::Ack),
            ("INPUT LABELS", true) => Ok(Reply::Show(Block::new(
                "INPUT LABELS",
                self.dump()[2].lines.clone(),
            ))),
            ("OUTPUT LABELS", true) => Ok(Reply::Show(Block::new(
                "OUTPUT LABELS",
                self.dump()[3].lines.clone(),
            ))),
            ("VIDEO OUTPUT ROUTING", true) => Ok(Reply::Show(self.routing())),
            ("VIDEO OUTPUT ROUTING", false) => self.route_lines(&b.lines),
            ("OUTPUT LABELS", false) => label_lines(&mut self.outputs, &b.lines, "OUTPUT LABELS"),
            ("INPUT LABELS", false) => label_lines(&mut self.inputs, &b.lines, "INPUT LABELS"),
            (h, _) => Err(format!("unknown or malformed block {h:?}")),
        }
    }

    fn route_lines(&mut self, lines: &[String]) -> Result<Reply, String> {
        let mut parsed = Vec::new();
        for l in lines {
            let (o, i) = l
                .split_once(' ')
                .ok_or_else(|| format!("route line {l:?}"))?;
            let (o, i): (usize, usize) = (
                o.parse().map_err(|_| l.clone())?,
                i.parse().map_err(|_| l.clone())?,
            );
            if o >= self.outputs.len() || i >= self.inputs.len() {
                return Err(format!("route {o} {i} out of range"));
            }
            parsed.push((o, i));
        }
        for &(o, i) in &parsed {
            self.routes[o] = i;
        }
        let lines = parsed.iter().map(|(o, i)| format!("{o} {i}")).collect();
        Ok(Reply::Broadcast(Block::new("VIDEO OUTPUT ROUTING", lines)))
    }
}

fn label_lines(labels: &mut [String], lines: &[String], header: &str) -> Result<Reply, String> {
    let mut parsed = Vec::new();
    for l in lines {
        let (idx, label) = l
            .split_once(' ')
            .ok_or_else(|| format!("label line {l:?}"))?;
        let idx: usize = idx.parse().map_err(|_| format!("label index {idx:?}"))?;
        if idx >= labels.len() {
            return Err(format!("label index {idx} out of range"));
        }
        parsed.push((idx, label.to_string()));
    }
    for (i, l) in &parsed {
        labels[*i] = l.clone();
    }
    let lines = parsed.iter().map(|(i, l)| format!("{i} {l}")).collect();
    Ok(Reply::Broadcast(Block::new(header, lines)))
}

enum Reply {
    Ack,
    Show(Block),
    Broadcast(Block),
}

/// A running simulated Videohub.
#[derive(Debug)]
pub struct VideohubSim {
    addr: SocketAddr,
    router: Arc<Mutex<Router>>,
    changes: broadcast::Sender<Block>,
    naks: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for VideohubSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl VideohubSim {
    /// A router with `inputs` × `outputs`, labels `Camera N` / `Monitor N`, output o fed by input o.
    pub async fn start(addr: &str, inputs: usize, outputs: usize) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = Arc::new(Mutex::new(Router {
            inputs: (1..=inputs).map(|i| format!("Camera {i}")).collect(),
            outputs: (1..=outputs).map(|i| format!("Monitor {i}")).collect(),
            routes: (0..outputs).map(|o| o % inputs.max(1)).collect(),
        }));
        let (changes, _) = broadcast::channel(64);
        let naks = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept(
            listener,
            Arc::clone(&router),
            changes.clone(),
            Arc::clone(&naks),
        ));
        Ok(Self {
            addr,
            router,
            changes,
            naks,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The input routed to each output.
    pub fn routes(&self) -> Vec<usize> {
        self.router
            .lock()
            .map(|r| r.routes.clone())
            .unwrap_or_default()
    }

    /// Every block the simulator refused, with the reason.
    pub fn naks(&self) -> Vec<String> {
        self.naks.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// A change made on the router's front panel: broadcast to every client.
    pub fn panel_route(&self, output: usize, input: usize) {
        let block = Block::new("VIDEO OUTPUT ROUTING", vec![format!("{output} {input}")]);
        if let Ok(mut r) = self.router.lock() {
            if let Ok(Reply::Broadcast(b)) = r.route_lines(&block.lines) {
                let _ = self.changes.send(b);
            }
        }
    }
}

async fn accept(
    listener: TcpListener,
    router: Arc<Mutex<Router>>,
    changes: broadcast::Sender<Block>,
    naks: Arc<Mutex<Vec<String>>>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let (router, rx, tx, naks) = (
            Arc::clone(&router),
            changes.subscribe(),
            changes.clone(),
            Arc::clone(&naks),
        );
        tokio::spawn(async move {
            let _ = session(stream, router, rx, tx, naks).await;
        });
    }
}

async fn session(
    stream: TcpStream,
    router: Arc<Mutex<Router>>,
    mut rx: broadcast::Receiver<Block>,
    tx: broadcast::Sender<Block>,
    naks: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let (rd, mut wr) = stream.into_split();
    let dump = router.lock().map(|r| r.dump()).unwrap_or_default();
    for b in dump {
        wr.write_all(b.to_text().as_bytes()).await?;
    }
    let mut lines = BufReader::new(rd).lines();
    let mut parser = BlockParser::default();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Some(line) = line? else { return Ok(()) };
                let Some(block) = parser.line(&line) else { continue };
                let reply = router.lock().map_err(|_| std::io::Error::other("poisoned"))?.request(&block);
                match reply {
                    Ok(Reply::Ack) => wr.write_all(b"ACK\n\n").await?,
                    Ok(Reply::Show(b)) => wr.write_all(format!("ACK\n\n{}", b.to_text()).as_bytes()).await?,
                    Ok(Reply::Broadcast(b)) => {
                        wr.write_all(b"ACK\n\n").await?;
                        let _ = tx.send(b);
                    }
                    Err(why) => {
                        if let Ok(mut n) = naks.lock() { n.push(why); }
                        wr.write_all(b"NAK\n\n").await?;
                    }
                }
            }
            change = rx.recv() => {
                if let Ok(b) = change {
                    wr.write_all(b.to_text().as_bytes()).await?;
                }
            }
        }
    }
}
