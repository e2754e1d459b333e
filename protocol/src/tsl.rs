//! TSL UMD tally from vision mixers: protocol v3.1 (18-byte packets) and v5.0 (variable
//! length, UDP plain or TCP with DLE/STX framing), as TSL Products publish them
//! (*TSL UMD Protocol*, V3.1/V4.0/V5.0 document). Note: ../shared/specs/protocols.md has no
//! TSL section; the layouts below are from the TSL document and are summarised in
//! protocol/README.md.
//!
//! v3.1: byte 0 = 0x80 + address (0–126); byte 1 = control (bits 0–3 tally 1–4, bits 4–5
//! brightness, bits 6–7 zero); bytes 2–17 = 16 printable ASCII characters.
//! v5.0: PBC u16 (bytes that follow), VER u8, FLAGS u8 (bit 0 UTF-16LE text, bit 1 screen
//! control, others zero), SCREEN u16, then display messages: INDEX u16, CONTROL u16
//! (bits 0–1 right tally, 2–3 text tally, 4–5 left tally, 6–7 brightness, 8–14 zero, bit 15
//! control data), LENGTH u16, TEXT. All little-endian. Tally values: 0 off, 1 red,
//! 2 green, 3 amber. Over TCP each packet is preceded by DLE STX (`FE 02`) and every `FE`
//! inside it is doubled.

/// Largest v5.0 packet.
pub const V5_MAX: usize = 2048;
/// DLE and STX of the v5.0 TCP wrapper.
pub const DLE: u8 = 0xFE;
pub const STX: u8 = 0x02;

/// A malformed tally packet: the field, the byte offset and the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("TSL {version}: {field} (byte {offset}): {problem}")]
pub struct TslError {
    pub version: &'static str,
    pub field: &'static str,
    pub offset: usize,
    pub problem: String,
}

fn err(version: &'static str, field: &'static str, offset: usize, problem: String) -> TslError {
    TslError {
        version,
        field,
        offset,
        problem,
    }
}

/// One v3.1 display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V31 {
    pub address: u8,
    /// Tally 1–4 (mixers conventionally use 1 for program, 2 for preview).
    pub tally: [bool; 4],
    pub brightness: u8,
    pub text: String,
}

impl V31 {
    pub fn decode(b: &[u8]) -> Result<Self, TslError> {
        let e = |field, offset, problem| err("3.1", field, offset, problem);
        if b.len() != 18 {
            return Err(e("packet", 0, format!("must be 18 bytes, got {}", b.len())));
        }
        if b[0] < 0x80 || b[0] == 0xFF {
            return Err(e(
                "address",
                0,
                format!("{:#04x} is not 0x80 + 0..126", b[0]),
            ));
        }
        if b[1] & 0xC0 != 0 {
            return Err(e(
                "control",
                1,
                format!("bits 6-7 must be zero, got {:#04x}", b[1]),
            ));
        }
        if let Some(i) = b[2..].iter().position(|c| !(0x20..=0x7E).contains(c)) {
            return Err(e(
                "text",
                2 + i,
                format!("{:#04x} is not printable ASCII", b[2 + i]),
            ));
        }
        Ok(V31 {
            address: b[0] - 0x80,
            tally: std::array::from_fn(|i| b[1] & (1 << i) != 0),
            brightness: (b[1] >> 4) & 3,
            text: String::from_utf8_lossy(&b[2..]).trim_end().to_string(),
        })
    }

    pub fn encode(&self) -> [u8; 18] {
        let mut out = [b' '; 18];
        out[0] = 0x80 + self.address.min(126);
        out[1] = self
            .tally
            .iter()
            .enumerate()
            .fold(0, |acc, (i, &t)| acc | (u8::from(t) << i))
            | (self.brightness & 3) << 4;
        for (o, c) in out[2..]
            .iter_mut()
            .zip(self.text.bytes().filter(|c| (0x20..=0x7E).contains(c)))
        {
            *o = c;
        }
        out
    }
}

/// Tally colour of a v5.0 lamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lamp {
    Off,
    Red,
    Green,
    Amber,
}

impl Lamp {
    fn from_bits(v: u16) -> Self {
        [Lamp::Off, Lamp::Red, Lamp::Green, Lamp::Amber][usize::from(v & 3)]
    }
    fn bits(self) -> u16 {
        self as u16
    }
}

/// One v5.0 display message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V5Display {
    pub index: u16,
    pub right: Lamp,
    pub text_tally: Lamp,
    pub left: Lamp,
    pub brightness: u8,
    pub text: String,
}

/// One v5.0 packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V5 {
    pub version: u8,
    pub screen: u16,
    pub unicode: bool,
    pub displays: Vec<V5Display>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

impl V5 {
    pub fn decode(b: &[u8]) -> Result<Self, TslError> {
        let e = |field, offset, problem| err("5.0", field, offset, problem);
        if b.len() < 6 || b.len() > V5_MAX {
            return Err(e(
                "packet",
                0,
                format!("length {} is outside 6..={V5_MAX}", b.len()),
            ));
        }
        let pbc = usize::from(u16_at(b, 0));
        if pbc + 2 != b.len() {
            return Err(e(
                "PBC",
                0,
                format!("says {pbc} bytes follow, {} do", b.len() - 2),
            ));
        }
        let flags = b[3];
        if flags & !0x03 != 0 {
            return Err(e(
                "FLAGS",
                3,
                format!("bits 2-7 must be zero, got {flags:#04x}"),
            ));
        }
        if flags & 0x02 != 0 {
            return Err(e(
                "FLAGS",
                3,
                "screen control messages are not supported".into(),
            ));
        }
        let unicode = flags & 1 != 0;
        let mut displays = Vec::new();
        let mut at = 6;
        while at < b.len() {
            let (d, next) = decode_display(b, at, unicode)?;
            displays.push(d);
            at = next;
        }
        Ok(V5 {
            version: b[2],
            screen: u16_at(b, 4),
            unicode,
            displays,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut body = vec![self.version, u8::from(self.unicode)];
        body.extend_from_slice(&self.screen.to_le_bytes());
        for d in &self.displays {
            let control = d.right.bits()
                | d.text_tally.bits() << 2
                | d.left.bits() << 4
                | u16::from(d.brightness & 3) << 6;
            let text: Vec<u8> = if self.unicode {
                d.text.encode_utf16().flat_map(u16::to_le_bytes).collect()
            } else {
                d.text.bytes().collect()
            };
            body.extend_from_slice(&d.index.to_le_bytes());
            body.extend_from_slice(&control.to_le_bytes());
            body.extend_from_slice(&(text.len() as u16).to_le_bytes());
            body.extend_from_slice(&text);
        }
        let mut out = (body.len() as u16).to_le_bytes().to_vec();
        out.extend(body);
        out
    }
}

fn decode_display(b: &[u8], at: usize, unicode: bool) -> Result<(V5Display, usize), TslError> {
    let e = |field, offset, problem| err("5.0", field, offset, problem);
    if b.len() - at < 6 {
        return Err(e(
            "DMSG",
            at,
            format!("needs 6 header bytes, {} left", b.len() - at),
        ));
    }
    let control = u16_at(b, at + 2);
    if control & 0x8000 != 0 {
        return Err(e(
            "CONTROL",
            at + 2,
            "control data (bit 15) is not supported".into(),
        ));
    }
    if control & 0x7F00 != 0 {
        return Err(e(
            "CONTROL",
            at + 2,
            format!("bits 8-14 must be zero, got {control:#06x}"),
        ));
    }
    let len = usize::from(u16_at(b, at + 4));
    let text = b
        .get(at + 6..at + 6 + len)
        .ok_or_else(|| e("LENGTH", at + 4, format!("{len} bytes run past the packet")))?;
    let text = if unicode {
        if len % 2 != 0 {
            return Err(e(
                "TEXT",
                at + 6,
                format!("UTF-16 text of odd length {len}"),
            ));
        }
        let units: Vec<u16> = text
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).map_err(|_| e("TEXT", at + 6, "invalid UTF-16".into()))?
    } else {
        String::from_utf8(text.to_vec()).map_err(|_| e("TEXT", at + 6, "not ASCII/UTF-8".into()))?
    };
    let d = V5Display {
        index: u16_at(b, at),
        right: Lamp::from_bits(control),
        text_tally: Lamp::from_bits(control >> 2),
        left: Lamp::from_bits(control >> 4),
        brightness: ((control >> 6) & 3) as u8,
        text,
    };
    Ok((d, at + 6 + len))
}

/// Wraps a v5.0 packet for TCP: DLE STX, then the packet with every DLE doubled.
pub fn dle_wrap(packet: &[u8]) -> Vec<u8> {
    let mut out = vec![DLE, STX];
    for &b in packet {
        out.push(b);
        if b == DLE {
            out.push(DLE);
        }
    }
    out
}

/// Splits a v5.0 TCP byte stream into packets (DLE STX starts one; DLE DLE is a data DLE).
#[derive(Debug, Default)]
pub struct DleReader {
    buf: Vec<u8>,
    in_packet: bool,
    dle: bool,
}

impl DleReader {
    /// Feeds bytes; returns the packets completed by them (a packet ends where the next
    /// DLE STX starts, or where its PBC says).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for &b in bytes {
            match (self.dle, b) {
                (true, STX) => {
                    self.flush(&mut out);
                    self.in_packet = true;
                    self.dle = false;
                }
                (true, DLE) => {
                    self.push(DLE, &mut out);
                    self.dle = false;
                }
                (true, _) => {
                    self.dle = false; // a stray DLE: drop the frame and resynchronise
                    self.buf.clear();
                    self.in_packet = false;
                }
                (false, DLE) => self.dle = true,
                (false, _) => self.push(b, &mut out),
            }
        }
        out
    }

    fn push(&mut self, b: u8, out: &mut Vec<Vec<u8>>) {
        if !self.in_packet {
            return;
        }
        self.buf.push(b);
        if self.buf.len() >= 2 && self.buf.len() == usize::from(u16_at(&self.buf, 0)) + 2 {
            self.flush(out);
        } else if self.buf.len() > V5_MAX {
            self.buf.clear();
            self.in_packet = false;
        }
    }

    fn flush(&mut self, out: &mut Vec<Vec<u8>>) {
        if !self.buf.is_empty() {
            out.push(std::mem::take(&mut self.buf));
        }
        self.in_packet = false;
    }
}

/// What lookwire keeps from a tally message: which source is on air.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// v3.1 address or v5.0 display index.
    pub index: u16,
    pub program: bool,
    pub preview: bool,
    pub label: String,
}

impl From<&V31> for Tally {
    /// Tally 1 = program, tally 2 = preview (the common mixer setting).
    fn from(m: &V31) -> Self {
        Tally {
            index: u16::from(m.address),
            program: m.tally[0],
            preview: m.tally[1],
            label: m.text.clone(),
        }
    }
}

impl From<&V5Display> for Tally {
    /// Any red lamp = program, any green lamp = preview.
    fn from(d: &V5Display) -> Self {
        let lamps = [d.left, d.text_tally, d.right];
        Tally {
            index: d.index,
            program: lamps.contains(&Lamp::Red) || lamps.contains(&Lamp::Amber),
            preview: lamps.contains(&Lamp::Green) || lamps.contains(&Lamp::Amber),
            label: d.text.clone(),
        }
    }
}

/// Decodes a UDP datagram: v5.0 if its PBC matches its length, else v3.1 packets of 18.
pub fn decode_datagram(b: &[u8]) -> Result<Vec<Tally>, TslError> {
    if b.len() >= 2 && usize::from(u16_at(b, 0)) + 2 == b.len() {
        return Ok(V5::decode(b)?.displays.iter().map(Tally::from).collect());
    }
    if b.is_empty() || b.len() % 18 != 0 {
        return Err(err(
            "3.1",
            "packet",
            0,
            format!(
                "{} bytes is neither a v5.0 packet nor whole 18-byte v3.1 packets",
                b.len()
            ),
        ));
    }
    b.chunks_exact(18)
        .map(|c| V31::decode(c).map(|m| Tally::from(&m)))
        .collect()
}

/// Which protocol a TCP tally connection speaks (UDP datagrams are recognised by shape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpFlavour {
    /// Back-to-back 18-byte v3.1 packets.
    V31,
    /// DLE/STX-wrapped v5.0 packets.
    V5,
}

/// Tally from one source, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TallyEvent {
    pub from: std::net::SocketAddr,
    pub tally: Tally,
}

/// Receives tally over UDP and TCP; malformed packets are logged with their source and
/// counted, never fatal.
#[derive(Debug)]
pub struct TallyListener {
    pub udp_addr: std::net::SocketAddr,
    pub tcp_addr: std::net::SocketAddr,
    ignored: std::sync::Arc<std::sync::atomic::AtomicU64>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for TallyListener {
    fn drop(&mut self) {
        self.tasks.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

impl TallyListener {
    pub async fn bind(
        udp: &str,
        tcp: &str,
        flavour: TcpFlavour,
    ) -> std::io::Result<(Self, tokio::sync::mpsc::Receiver<TallyEvent>)> {
        let sock = tokio::net::UdpSocket::bind(udp).await?;
        let listener = tokio::net::TcpListener::bind(tcp).await?;
        let (udp_addr, tcp_addr) = (sock.local_addr()?, listener.local_addr()?);
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let ignored = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let tasks = vec![
            tokio::spawn(udp_loop(sock, tx.clone(), std::sync::Arc::clone(&ignored))),
            tokio::spawn(tcp_accept(
                listener,
                flavour,
                tx,
                std::sync::Arc::clone(&ignored),
            )),
        ];
        Ok((
            Self {
                udp_addr,
                tcp_addr,
                ignored,
                tasks,
            },
            rx,
        ))
    }

    pub fn ignored(&self) -> u64 {
        self.ignored.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Stops listening and waits until both sockets are closed, so their ports can be
    /// bound again at once (dropping only aborts: the sockets close a moment later).
    pub async fn close(mut self) {
        for task in std::mem::take(&mut self.tasks) {
            task.abort();
            let _ = task.await;
        }
    }
}

type Sink = tokio::sync::mpsc::Sender<TallyEvent>;
type Counter = std::sync::Arc<std::sync::atomic::AtomicU64>;

async fn deliver(
    from: std::net::SocketAddr,
    result: Result<Vec<Tally>, TslError>,
    tx: &Sink,
    ignored: &Counter,
) -> bool {
    match result {
        Ok(list) => {
            for tally in list {
                if tx.send(TallyEvent { from, tally }).await.is_err() {
                    return false;
                }
            }
        }
        Err(e) => {
            ignored.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!("tally from {from}: ignored: {e}");
        }
    }
    true
}

async fn udp_loop(sock: tokio::net::UdpSocket, tx: Sink, ignored: Counter) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        if !deliver(from, decode_datagram(&buf[..n]), &tx, &ignored).await {
            return;
        }
    }
}

async fn tcp_accept(
    listener: tokio::net::TcpListener,
    flavour: TcpFlavour,
    tx: Sink,
    ignored: Counter,
) {
    while let Ok((stream, from)) = listener.accept().await {
        let (tx, ignored) = (tx.clone(), std::sync::Arc::clone(&ignored));
        tokio::spawn(async move { tcp_session(stream, from, flavour, tx, ignored).await });
    }
}

async fn tcp_session(
    mut s: tokio::net::TcpStream,
    from: std::net::SocketAddr,
    flavour: TcpFlavour,
    tx: Sink,
    ignored: Counter,
) {
    use tokio::io::AsyncReadExt;
    let mut dle = DleReader::default();
    let mut pending = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf).await {
        if n == 0 {
            return;
        }
        let packets: Vec<Result<Vec<Tally>, TslError>> = match flavour {
            TcpFlavour::V5 => dle
                .feed(&buf[..n])
                .iter()
                .map(|p| V5::decode(p).map(|v| v.displays.iter().map(Tally::from).collect()))
                .collect(),
            TcpFlavour::V31 => {
                pending.extend_from_slice(&buf[..n]);
                let whole = pending.len() / 18 * 18;
                let out = pending[..whole]
                    .chunks_exact(18)
                    .map(|c| V31::decode(c).map(|m| vec![Tally::from(&m)]))
                    .collect();
                pending.drain(..whole);
                out
            }
        };
        for p in packets {
            if !deliver(from, p, &tx, &ignored).await {
                return;
            }
        }
    }
}
