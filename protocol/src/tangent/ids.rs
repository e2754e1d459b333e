//! lookwire's own control ids: the parameters and actions a Tangent map binds panel
//! controls to (managed mode). They are lookwire's definitions, not Tangent's; the user's
//! Controls XML (made with Tangent's tools, see protocol/README.md) must use these numbers.
//!
//! Parameters are `0x00FF00CC`: `FF` the field (1 offset, 2 power, 3 slope, 4 saturation,
//! 5 master), `CC` the channel (1 red, 2 green, 3 blue, 4 all three). The worked bytes of
//! protocols.md §5 (`paramID 0x00030001 = 1.25`) are slope red at 1.25.

/// A CDL field of the selected camera's trim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrimField {
    Offset,
    Power,
    Slope,
}

/// Which channels a parameter moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Red,
    Green,
    Blue,
    /// All three together (the ring or the master knob of a ball).
    Master,
}

/// One of lookwire's Tangent parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// Offset, power or slope of one channel or all three (master: their mean moves).
    Cdl(TrimField, Channel),
    /// ASC saturation.
    Saturation,
    /// Exposure in stops: every slope scaled by 2^value (value: log2 of the slopes'
    /// geometric mean).
    Master,
}

const FIELDS: [TrimField; 3] = [TrimField::Offset, TrimField::Power, TrimField::Slope];
const CHANNELS: [Channel; 4] = [Channel::Red, Channel::Green, Channel::Blue, Channel::Master];

impl Parameter {
    /// Every parameter, in id order.
    pub fn all() -> Vec<Parameter> {
        let mut v: Vec<Parameter> = FIELDS
            .iter()
            .flat_map(|f| CHANNELS.iter().map(|c| Parameter::Cdl(*f, *c)))
            .collect();
        v.extend([Parameter::Saturation, Parameter::Master]);
        v
    }

    pub fn id(self) -> u32 {
        match self {
            Parameter::Cdl(f, c) => {
                let f = FIELDS.iter().position(|x| *x == f).unwrap_or(0) as u32 + 1;
                let c = CHANNELS.iter().position(|x| *x == c).unwrap_or(0) as u32 + 1;
                (f << 16) | c
            }
            Parameter::Saturation => 0x0004_0001,
            Parameter::Master => 0x0005_0001,
        }
    }

    pub fn from_id(id: u32) -> Option<Parameter> {
        Parameter::all().into_iter().find(|p| p.id() == id)
    }

    /// The value's range; the application clamps to it.
    pub fn range(self) -> (f64, f64) {
        match self {
            Parameter::Cdl(TrimField::Offset, _) => (-1.0, 1.0),
            Parameter::Cdl(TrimField::Power, _) => (0.1, 4.0),
            Parameter::Cdl(TrimField::Slope, _) => (0.0, 8.0),
            Parameter::Saturation => (0.0, 4.0),
            Parameter::Master => (-6.0, 6.0),
        }
    }

    /// The reset value.
    pub fn default_value(self) -> f64 {
        match self {
            Parameter::Cdl(TrimField::Offset, _) | Parameter::Master => 0.0,
            _ => 1.0,
        }
    }

    /// A short name for the panel's display (`Slope R`).
    pub fn label(self) -> String {
        match self {
            Parameter::Cdl(f, c) => {
                let f =
                    ["Offset", "Power", "Slope"][FIELDS.iter().position(|x| *x == f).unwrap_or(0)];
                let c =
                    ["R", "G", "B", "Master"][CHANNELS.iter().position(|x| *x == c).unwrap_or(0)];
                format!("{f} {c}")
            }
            Parameter::Saturation => "Saturation".into(),
            Parameter::Master => "Master (stops)".into(),
        }
    }
}

/// Snapshot slots a panel's buttons store and recall, per camera.
pub const SNAPSHOT_SLOTS: u32 = 16;
/// Cameras a "select camera N" button reaches (show order, from 1).
pub const SELECT_CAMERAS: u32 = 64;

/// One of lookwire's Tangent actions (buttons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    CameraNext,
    CameraPrevious,
    /// The n-th camera in show order, from 1.
    CameraSelect(u32),
    Undo,
    Redo,
    /// Store the selected camera's grade in slot n (from 1).
    SnapshotStore(u32),
    /// Recall slot n (from 1) of the selected camera.
    SnapshotRecall(u32),
}

impl Action {
    /// `0x0010_0001` next, `0x0010_0002` previous, `0x0010_01NN` select camera NN;
    /// `0x0020_0001` undo, `0x0020_0002` redo; `0x0030_00NN` store slot NN,
    /// `0x0031_00NN` recall slot NN.
    pub fn id(self) -> u32 {
        match self {
            Action::CameraNext => 0x0010_0001,
            Action::CameraPrevious => 0x0010_0002,
            Action::CameraSelect(n) => 0x0010_0100 | n,
            Action::Undo => 0x0020_0001,
            Action::Redo => 0x0020_0002,
            Action::SnapshotStore(n) => 0x0030_0000 | n,
            Action::SnapshotRecall(n) => 0x0031_0000 | n,
        }
    }

    pub fn from_id(id: u32) -> Option<Action> {
        let n = id & 0xFF;
        Some(match id & 0xFFFF_FF00 {
            0x0010_0000 if n == 1 => Action::CameraNext,
            0x0010_0000 if n == 2 => Action::CameraPrevious,
            0x0010_0100 if (1..=SELECT_CAMERAS).contains(&n) => Action::CameraSelect(n),
            0x0020_0000 if n == 1 => Action::Undo,
            0x0020_0000 if n == 2 => Action::Redo,
            0x0030_0000 if (1..=SNAPSHOT_SLOTS).contains(&n) => Action::SnapshotStore(n),
            0x0031_0000 if (1..=SNAPSHOT_SLOTS).contains(&n) => Action::SnapshotRecall(n),
            _ => return None,
        })
    }

    /// Every action, in id order.
    pub fn all() -> Vec<Action> {
        let mut v = vec![Action::CameraNext, Action::CameraPrevious];
        v.extend((1..=SELECT_CAMERAS).map(Action::CameraSelect));
        v.extend([Action::Undo, Action::Redo]);
        v.extend((1..=SNAPSHOT_SLOTS).map(Action::SnapshotStore));
        v.extend((1..=SNAPSHOT_SLOTS).map(Action::SnapshotRecall));
        v
    }
}

/// Tangent's reserved ids (protocols.md §5): actions from `0x80000001` (ALT, bank and mode
/// switching, …), the transport ring parameter, the custom menu. lookwire never uses them.
pub const RESERVED_ACTIONS: u32 = 0x8000_0000;
pub const TRANSPORT_RING: u32 = 0x8100_0001;
pub const RESERVED_MENU: u32 = 0x8200_0001;

/// Whether an id is in Tangent's reserved ranges (top bit set).
pub fn is_reserved(id: u32) -> bool {
    id & 0x8000_0000 != 0
}

/// A panel type's name (protocols.md §5), `None` for a type it does not list.
pub fn panel_name(panel_type: u32) -> Option<&'static str> {
    Some(match panel_type {
        0x0A => "Wave",
        0x0C => "Element Tk",
        0x0D => "Element Mf",
        0x0E => "Element Kb",
        0x0F => "Element Bt",
        0x11 => "Ripple",
        0x12 => "Arc FCN",
        0x13 => "Arc GRD",
        0x14 => "Arc NAV",
        _ => return None,
    })
}
