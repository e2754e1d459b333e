//! TIPC byte layouts (protocols.md §5, field order as the open-source clients quote
//! Tangent's pack): every message is a big-endian `u32` length and a body of one or more
//! commands back to back; a command is a `u32` id and its fields (`u32`/`i32` big-endian,
//! `f32` IEEE 754 big-endian, bool as `u32` 0/1, string as `u32` length + bytes).
//!
//! Pure functions, no I/O: the Hub client and the Hub simulator share this strict codec.
//! Bad input gives a [`TipcError`] naming the command and the byte offset, never a panic.

/// Longest message body lookwire accepts (the Hub's messages are tens of bytes).
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Longest custom-control id string (protocols.md §5: ≤ 128 bytes).
pub const MAX_CONTROL_ID: usize = 128;
/// DisplayText: characters on a single-height line.
pub const DISPLAY_SINGLE: usize = 32;
/// DisplayText: characters on a double-height line.
pub const DISPLAY_DOUBLE: usize = 16;
/// ArcDisplayText: characters on a line.
pub const ARC_DISPLAY: usize = 19;

/// Why bytes are not TIPC: what, in which command, where (offset within the body).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("TIPC {command} at byte {offset}: {problem}")]
pub struct TipcError {
    /// The command being read (`0x02 ParameterChange`), or `message` for the framing.
    pub command: String,
    pub offset: usize,
    pub problem: String,
}

/// One panel as InitiateComms lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panel {
    pub panel_type: u32,
    pub panel_id: u32,
}

/// A command from the Hub to the application.
#[derive(Clone, Debug, PartialEq)]
pub enum HubCommand {
    /// 0x01: protocol revision and the panels configured in the Hub's panel list.
    InitiateComms {
        protocol_rev: u32,
        panels: Vec<Panel>,
    },
    /// 0x02: add `increment` to a parameter (the application clamps and answers 0x82).
    ParameterChange { param_id: u32, increment: f32 },
    /// 0x03
    ParameterReset { param_id: u32 },
    /// 0x04
    ParameterValueRequest { param_id: u32 },
    /// 0x05: `increment` is +1 or −1.
    MenuChange { menu_id: u32, increment: i32 },
    /// 0x06
    MenuReset { menu_id: u32 },
    /// 0x07
    MenuStringRequest { menu_id: u32 },
    /// 0x08: button down.
    ActionOn { action_id: u32 },
    /// 0x09
    ModeChange { mode_id: u32 },
    /// 0x0A: jog steps and shuttle increment (32 counts per turn by default).
    Transport { jog: i32, shuttle: i32 },
    /// 0x0B: button up.
    ActionOff { action_id: u32 },
    /// 0x30 (unmanaged mode): the panel's controls and displays.
    UnmanagedPanelCapabilities {
        panel_id: u32,
        buttons: u32,
        encoders: u32,
        displays: u32,
        display_lines: u32,
        display_chars: u32,
    },
    /// 0x31
    UnmanagedButtonDown { panel_id: u32, button_id: u32 },
    /// 0x32
    UnmanagedButtonUp { panel_id: u32, button_id: u32 },
    /// 0x33
    UnmanagedEncoderChange {
        panel_id: u32,
        encoder_id: u32,
        increment: f32,
    },
    /// 0x34
    UnmanagedDisplayRefresh { panel_id: u32 },
    /// 0x35
    PanelConnectionState { panel_id: u32, connected: bool },
    /// 0x36
    CustomParameterChange { control: String, increment: f32 },
    /// 0x37
    CustomParameterReset { control: String },
    /// 0x38
    CustomParameterValueRequest { control: String },
    /// 0x39
    CustomMenuChange { control: String, increment: i32 },
    /// 0x3A
    CustomMenuReset { control: String },
    /// 0x3B
    CustomMenuStringRequest { control: String },
    /// 0x3C
    CustomActionOn { control: String },
    /// 0x3D
    CustomActionOff { control: String },
}

/// One line of DisplayText: `None` keeps the line as it is (sent as length 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayLine {
    pub text: Option<String>,
    pub double_height: bool,
}

/// A command from the application to the Hub.
#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// 0x81: the application's name, the folder of its Controls and Default Map XML, the
    /// user's map folder, and from protocol revision 7 a task name (`Some`, maybe empty).
    ApplicationDefinition {
        app_name: String,
        system_dir: String,
        user_dir: String,
        task: Option<String>,
    },
    /// 0x82
    ParameterValue {
        param_id: u32,
        value: f32,
        at_default: bool,
    },
    /// 0x83
    MenuString {
        menu_id: u32,
        value: String,
        at_default: bool,
    },
    /// 0x84: many values changed; the Hub asks for every value again.
    AllChange,
    /// 0x85
    ModeValue { mode_id: u32 },
    /// 0x86: lines of 32 characters (16 double height).
    DisplayText { lines: Vec<DisplayLine> },
    /// 0x87: the Arc's rear displays, up to 2 lines of 19 characters; `None` keeps a line.
    ArcDisplayText {
        panel_id: u32,
        lines: Vec<Option<String>>,
    },
    /// 0xA0 (unmanaged mode)
    UnmanagedPanelCapabilitiesRequest { panel_id: u32 },
    /// 0xA1: line and column count from 0 on the wire.
    UnmanagedDisplayWrite {
        panel_id: u32,
        display_id: u32,
        line: u32,
        column: u32,
        text: String,
    },
    /// 0xA2: an empty name restores the Controls XML name.
    RenameControl { target_id: u32, name: String },
    /// 0xA3
    HighlightControl { target_id: u32, on: bool },
    /// 0xA4
    IndicateControl { target_id: u32, on: bool },
    /// 0xA5
    PanelConnectionStatesRequest,
    /// 0xA6
    CustomParameterValue {
        control: String,
        value: f32,
        at_default: bool,
    },
    /// 0xA7
    CustomMenuString {
        control: String,
        value: String,
        at_default: bool,
    },
    /// 0xA8
    RenameCustomControl { control: String, name: String },
    /// 0xA9
    HighlightCustomControl { control: String, on: bool },
    /// 0xAA
    IndicateCustomControl { control: String, on: bool },
}

/// Command names by id, for errors and logs.
pub fn command_name(id: u32) -> &'static str {
    match id {
        0x01 => "InitiateComms",
        0x02 => "ParameterChange",
        0x03 => "ParameterReset",
        0x04 => "ParameterValueRequest",
        0x05 => "MenuChange",
        0x06 => "MenuReset",
        0x07 => "MenuStringRequest",
        0x08 => "ActionOn",
        0x09 => "ModeChange",
        0x0A => "Transport",
        0x0B => "ActionOff",
        0x30 => "UnmanagedPanelCapabilities",
        0x31 => "UnmanagedButtonDown",
        0x32 => "UnmanagedButtonUp",
        0x33 => "UnmanagedEncoderChange",
        0x34 => "UnmanagedDisplayRefresh",
        0x35 => "PanelConnectionState",
        0x36 => "CustomParameterChange",
        0x37 => "CustomParameterReset",
        0x38 => "CustomParameterValueRequest",
        0x39 => "CustomMenuChange",
        0x3A => "CustomMenuReset",
        0x3B => "CustomMenuStringRequest",
        0x3C => "CustomActionOn",
        0x3D => "CustomActionOff",
        0x81 => "ApplicationDefinition",
        0x82 => "ParameterValue",
        0x83 => "MenuString",
        0x84 => "AllChange",
        0x85 => "ModeValue",
        0x86 => "DisplayText",
        0x87 => "ArcDisplayText",
        0xA0 => "UnmanagedPanelCapabilitiesRequest",
        0xA1 => "UnmanagedDisplayWrite",
        0xA2 => "RenameControl",
        0xA3 => "HighlightControl",
        0xA4 => "IndicateControl",
        0xA5 => "PanelConnectionStatesRequest",
        0xA6 => "CustomParameterValue",
        0xA7 => "CustomMenuString",
        0xA8 => "RenameCustomControl",
        0xA9 => "HighlightCustomControl",
        0xAA => "IndicateCustomControl",
        _ => "unknown command",
    }
}

/// Appends big-endian fields.
#[derive(Default)]
pub(super) struct Writer(pub(super) Vec<u8>);

impl Writer {
    pub(super) fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(super) fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(super) fn f32(&mut self, v: f32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(super) fn bool(&mut self, v: bool) -> &mut Self {
        self.u32(u32::from(v))
    }
    pub(super) fn str(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
}

/// Reads big-endian fields of one command, naming it in every error.
pub(super) struct Reader<'a> {
    pub(super) body: &'a [u8],
    pub(super) at: usize,
    command: String,
}

impl Reader<'_> {
    pub(super) fn fail(&self, problem: impl Into<String>) -> TipcError {
        TipcError {
            command: self.command.clone(),
            offset: self.at,
            problem: problem.into(),
        }
    }
    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&[u8], TipcError> {
        if self.body.len() - self.at < n {
            return Err(self.fail(format!(
                "{what} needs {n} bytes, {} left in the message",
                self.body.len() - self.at
            )));
        }
        let s = &self.body[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    pub(super) fn u32(&mut self, what: &str) -> Result<u32, TipcError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(super) fn i32(&mut self, what: &str) -> Result<i32, TipcError> {
        Ok(self.u32(what)? as i32)
    }
    pub(super) fn f32(&mut self, what: &str) -> Result<f32, TipcError> {
        let at = self.at;
        let v = f32::from_bits(self.u32(what)?);
        if v.is_finite() {
            Ok(v)
        } else {
            self.at = at;
            Err(self.fail(format!("{what} is {v}, not a finite number")))
        }
    }
    pub(super) fn bool(&mut self, what: &str) -> Result<bool, TipcError> {
        let at = self.at;
        match self.u32(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => {
                self.at = at;
                Err(self.fail(format!("{what} is {v}, a bool is 0 or 1")))
            }
        }
    }
    pub(super) fn str_max(&mut self, what: &str, max: usize) -> Result<String, TipcError> {
        let at = self.at;
        let n = self.u32(&format!("{what} length"))? as usize;
        if n > max {
            self.at = at;
            return Err(self.fail(format!("{what} is {n} bytes, at most {max}")));
        }
        let bytes = self.take(n, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| {
            let mut e = self.fail(format!("{what} is not UTF-8"));
            e.offset -= n;
            e
        })
    }
    pub(super) fn str(&mut self, what: &str) -> Result<String, TipcError> {
        self.str_max(what, MAX_MESSAGE)
    }
    pub(super) fn control(&mut self) -> Result<String, TipcError> {
        self.str_max("control id", MAX_CONTROL_ID)
    }
}

/// The first `max` bytes of `s`, ending on a character boundary.
pub(super) fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Frames `body` (one or more encoded commands) with its length.
fn frame(body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend(body);
    out
}

/// One length-prefixed message holding `commands` back to back.
pub fn encode_hub(commands: &[HubCommand]) -> Vec<u8> {
    let mut w = Writer::default();
    commands.iter().for_each(|c| c.write(&mut w));
    frame(w.0)
}

/// One length-prefixed message holding `commands` back to back.
pub fn encode_app(commands: &[AppCommand]) -> Vec<u8> {
    let mut w = Writer::default();
    commands.iter().for_each(|c| c.write(&mut w));
    frame(w.0)
}

/// Checks a message's length prefix: the body length that follows.
pub fn body_len(prefix: [u8; 4]) -> Result<usize, TipcError> {
    let n = u32::from_be_bytes(prefix) as usize;
    if !(4..=MAX_MESSAGE).contains(&n) {
        return Err(TipcError {
            command: "message".into(),
            offset: 0,
            problem: format!("length {n}: a message holds 4 to {MAX_MESSAGE} bytes"),
        });
    }
    Ok(n)
}

fn decode_all<T>(
    body: &[u8],
    mut one: impl FnMut(&mut Reader<'_>, u32) -> Result<T, TipcError>,
) -> Result<Vec<T>, TipcError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let mut r = Reader {
            body,
            at,
            command: "command".into(),
        };
        let id = r.u32("command id")?;
        r.command = format!("0x{id:02X} {}", command_name(id));
        out.push(one(&mut r, id)?);
        at = r.at;
    }
    Ok(out)
}

/// Every command in a message body from the Hub (the bytes after the length).
pub fn decode_hub(body: &[u8]) -> Result<Vec<HubCommand>, TipcError> {
    decode_all(body, HubCommand::read)
}

/// Every command in a message body from an application; `protocol_rev` is the revision
/// the Hub announced (it decides whether ApplicationDefinition carries a task name).
pub fn decode_app(body: &[u8], protocol_rev: u32) -> Result<Vec<AppCommand>, TipcError> {
    decode_all(body, |r, id| AppCommand::read(r, id, protocol_rev))
}

/// Reads one whole message from `reader`: its length prefix, checked, then its body.
pub async fn read_message<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut R,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut prefix = [0u8; 4];
    reader.read_exact(&mut prefix).await?;
    let n =
        body_len(prefix).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let mut body = vec![0u8; n];
    reader.read_exact(&mut body).await?;
    Ok(body)
}
