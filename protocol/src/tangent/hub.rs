//! Hub → application commands: ids, field order, encoding and strict decoding.

use super::wire::{HubCommand, Panel, Reader, TipcError, Writer};

impl HubCommand {
    /// The command id on the wire.
    pub fn id(&self) -> u32 {
        use HubCommand::*;
        match self {
            InitiateComms { .. } => 0x01,
            ParameterChange { .. } => 0x02,
            ParameterReset { .. } => 0x03,
            ParameterValueRequest { .. } => 0x04,
            MenuChange { .. } => 0x05,
            MenuReset { .. } => 0x06,
            MenuStringRequest { .. } => 0x07,
            ActionOn { .. } => 0x08,
            ModeChange { .. } => 0x09,
            Transport { .. } => 0x0A,
            ActionOff { .. } => 0x0B,
            UnmanagedPanelCapabilities { .. } => 0x30,
            UnmanagedButtonDown { .. } => 0x31,
            UnmanagedButtonUp { .. } => 0x32,
            UnmanagedEncoderChange { .. } => 0x33,
            UnmanagedDisplayRefresh { .. } => 0x34,
            PanelConnectionState { .. } => 0x35,
            CustomParameterChange { .. } => 0x36,
            CustomParameterReset { .. } => 0x37,
            CustomParameterValueRequest { .. } => 0x38,
            CustomMenuChange { .. } => 0x39,
            CustomMenuReset { .. } => 0x3A,
            CustomMenuStringRequest { .. } => 0x3B,
            CustomActionOn { .. } => 0x3C,
            CustomActionOff { .. } => 0x3D,
        }
    }

    pub(super) fn write(&self, w: &mut Writer) {
        use HubCommand::*;
        w.u32(self.id());
        match self {
            InitiateComms {
                protocol_rev,
                panels,
            } => {
                w.u32(*protocol_rev).u32(panels.len() as u32);
                for p in panels {
                    w.u32(p.panel_type).u32(p.panel_id);
                }
            }
            ParameterChange {
                param_id,
                increment,
            } => {
                w.u32(*param_id).f32(*increment);
            }
            ParameterReset { param_id } | ParameterValueRequest { param_id } => {
                w.u32(*param_id);
            }
            MenuChange { menu_id, increment } => {
                w.u32(*menu_id).i32(*increment);
            }
            MenuReset { menu_id } | MenuStringRequest { menu_id } => {
                w.u32(*menu_id);
            }
            ActionOn { action_id } | ActionOff { action_id } => {
                w.u32(*action_id);
            }
            ModeChange { mode_id } => {
                w.u32(*mode_id);
            }
            Transport { jog, shuttle } => {
                w.i32(*jog).i32(*shuttle);
            }
            UnmanagedPanelCapabilities {
                panel_id,
                buttons,
                encoders,
                displays,
                display_lines,
                display_chars,
            } => {
                for v in [
                    panel_id,
                    buttons,
                    encoders,
                    displays,
                    display_lines,
                    display_chars,
                ] {
                    w.u32(*v);
                }
            }
            UnmanagedButtonDown {
                panel_id,
                button_id,
            }
            | UnmanagedButtonUp {
                panel_id,
                button_id,
            } => {
                w.u32(*panel_id).u32(*button_id);
            }
            UnmanagedEncoderChange {
                panel_id,
                encoder_id,
                increment,
            } => {
                w.u32(*panel_id).u32(*encoder_id).f32(*increment);
            }
            UnmanagedDisplayRefresh { panel_id } => {
                w.u32(*panel_id);
            }
            PanelConnectionState {
                panel_id,
                connected,
            } => {
                w.u32(*panel_id).bool(*connected);
            }
            CustomParameterChange { control, increment } => {
                w.str(control).f32(*increment);
            }
            CustomMenuChange { control, increment } => {
                w.str(control).i32(*increment);
            }
            CustomParameterReset { control }
            | CustomParameterValueRequest { control }
            | CustomMenuReset { control }
            | CustomMenuStringRequest { control }
            | CustomActionOn { control }
            | CustomActionOff { control } => {
                w.str(control);
            }
        }
    }

    pub(super) fn read(r: &mut Reader<'_>, id: u32) -> Result<Self, TipcError> {
        use HubCommand::*;
        Ok(match id {
            0x01 => {
                let protocol_rev = r.u32("protocolRev")?;
                let at = r.at;
                let n = r.u32("numPanels")? as usize;
                if n > (r.body.len() - r.at) / 8 {
                    r.at = at;
                    return Err(r.fail(format!(
                        "numPanels {n} needs {} bytes, {} left",
                        n.saturating_mul(8),
                        r.body.len() - at - 4
                    )));
                }
                let mut panels = Vec::with_capacity(n);
                for _ in 0..n {
                    panels.push(Panel {
                        panel_type: r.u32("panelType")?,
                        panel_id: r.u32("panelID")?,
                    });
                }
                InitiateComms {
                    protocol_rev,
                    panels,
                }
            }
            0x02 => ParameterChange {
                param_id: r.u32("paramID")?,
                increment: r.f32("increment")?,
            },
            0x03 => ParameterReset {
                param_id: r.u32("paramID")?,
            },
            0x04 => ParameterValueRequest {
                param_id: r.u32("paramID")?,
            },
            0x05 => MenuChange {
                menu_id: r.u32("menuID")?,
                increment: r.i32("increment")?,
            },
            0x06 => MenuReset {
                menu_id: r.u32("menuID")?,
            },
            0x07 => MenuStringRequest {
                menu_id: r.u32("menuID")?,
            },
            0x08 => ActionOn {
                action_id: r.u32("actionID")?,
            },
            0x09 => ModeChange {
                mode_id: r.u32("modeID")?,
            },
            0x0A => Transport {
                jog: r.i32("jogValue")?,
                shuttle: r.i32("shuttleValue")?,
            },
            0x0B => ActionOff {
                action_id: r.u32("actionID")?,
            },
            0x30..=0x35 => Self::read_unmanaged(r, id)?,
            0x36..=0x3D => Self::read_custom(r, id)?,
            _ => return Err(r.fail(format!("0x{id:02X} is no Hub → application command"))),
        })
    }

    fn read_unmanaged(r: &mut Reader<'_>, id: u32) -> Result<Self, TipcError> {
        use HubCommand::*;
        let panel_id = r.u32("panelID")?;
        Ok(match id {
            0x30 => UnmanagedPanelCapabilities {
                panel_id,
                buttons: r.u32("numButtons")?,
                encoders: r.u32("numEncoders")?,
                displays: r.u32("numDisplays")?,
                display_lines: r.u32("numDisplayLines")?,
                display_chars: r.u32("numDisplayChars")?,
            },
            0x31 => UnmanagedButtonDown {
                panel_id,
                button_id: r.u32("buttonID")?,
            },
            0x32 => UnmanagedButtonUp {
                panel_id,
                button_id: r.u32("buttonID")?,
            },
            0x33 => UnmanagedEncoderChange {
                panel_id,
                encoder_id: r.u32("encoderID")?,
                increment: r.f32("increment")?,
            },
            0x34 => UnmanagedDisplayRefresh { panel_id },
            _ => PanelConnectionState {
                panel_id,
                connected: r.bool("state")?,
            },
        })
    }

    fn read_custom(r: &mut Reader<'_>, id: u32) -> Result<Self, TipcError> {
        use HubCommand::*;
        let control = r.control()?;
        Ok(match id {
            0x36 => CustomParameterChange {
                control,
                increment: r.f32("increment")?,
            },
            0x37 => CustomParameterReset { control },
            0x38 => CustomParameterValueRequest { control },
            0x39 => CustomMenuChange {
                control,
                increment: r.i32("increment")?,
            },
            0x3A => CustomMenuReset { control },
            0x3B => CustomMenuStringRequest { control },
            0x3C => CustomActionOn { control },
            _ => CustomActionOff { control },
        })
    }
}
