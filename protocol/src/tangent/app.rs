//! Application → Hub commands: ids, field order, encoding (text cut to its line) and
//! strict decoding.

use super::wire::{
    cut, AppCommand, DisplayLine, Reader, TipcError, Writer, ARC_DISPLAY, DISPLAY_DOUBLE,
    DISPLAY_SINGLE, MAX_CONTROL_ID,
};

impl AppCommand {
    /// The command id on the wire.
    pub fn id(&self) -> u32 {
        use AppCommand::*;
        match self {
            ApplicationDefinition { .. } => 0x81,
            ParameterValue { .. } => 0x82,
            MenuString { .. } => 0x83,
            AllChange => 0x84,
            ModeValue { .. } => 0x85,
            DisplayText { .. } => 0x86,
            ArcDisplayText { .. } => 0x87,
            UnmanagedPanelCapabilitiesRequest { .. } => 0xA0,
            UnmanagedDisplayWrite { .. } => 0xA1,
            RenameControl { .. } => 0xA2,
            HighlightControl { .. } => 0xA3,
            IndicateControl { .. } => 0xA4,
            PanelConnectionStatesRequest => 0xA5,
            CustomParameterValue { .. } => 0xA6,
            CustomMenuString { .. } => 0xA7,
            RenameCustomControl { .. } => 0xA8,
            HighlightCustomControl { .. } => 0xA9,
            IndicateCustomControl { .. } => 0xAA,
        }
    }

    /// Text that does not fit its line is cut at the limit (on a character boundary).
    pub(super) fn write(&self, w: &mut Writer) {
        use AppCommand::*;
        w.u32(self.id());
        match self {
            ApplicationDefinition {
                app_name,
                system_dir,
                user_dir,
                task,
            } => {
                w.str(app_name).str(system_dir).str(user_dir);
                if let Some(t) = task {
                    w.str(t);
                }
            }
            ParameterValue {
                param_id,
                value,
                at_default,
            } => {
                w.u32(*param_id).f32(*value).bool(*at_default);
            }
            MenuString {
                menu_id,
                value,
                at_default,
            } => {
                w.u32(*menu_id).str(value).bool(*at_default);
            }
            AllChange | PanelConnectionStatesRequest => {}
            ModeValue { mode_id } => {
                w.u32(*mode_id);
            }
            DisplayText { lines } => {
                w.u32(lines.len() as u32);
                for l in lines {
                    let max = if l.double_height {
                        DISPLAY_DOUBLE
                    } else {
                        DISPLAY_SINGLE
                    };
                    match l.text.as_deref().map(|t| cut(t, max)) {
                        Some(t) if !t.is_empty() => {
                            w.str(t).bool(l.double_height);
                        }
                        _ => {
                            w.u32(0);
                        }
                    }
                }
            }
            ArcDisplayText { panel_id, lines } => {
                w.u32(*panel_id).u32(lines.len() as u32);
                for l in lines {
                    match l.as_deref().map(|t| cut(t, ARC_DISPLAY)) {
                        Some(t) if !t.is_empty() => {
                            w.str(t).u32(0);
                        }
                        _ => {
                            w.u32(0);
                        }
                    }
                }
            }
            _ => self.write_rest(w),
        }
    }

    fn write_rest(&self, w: &mut Writer) {
        use AppCommand::*;
        match self {
            UnmanagedPanelCapabilitiesRequest { panel_id } => {
                w.u32(*panel_id);
            }
            UnmanagedDisplayWrite {
                panel_id,
                display_id,
                line,
                column,
                text,
            } => {
                w.u32(*panel_id)
                    .u32(*display_id)
                    .u32(*line)
                    .u32(*column)
                    .str(text);
            }
            RenameControl { target_id, name } => {
                w.u32(*target_id).str(name);
            }
            HighlightControl { target_id, on } | IndicateControl { target_id, on } => {
                w.u32(*target_id).bool(*on);
            }
            CustomParameterValue {
                control,
                value,
                at_default,
            } => {
                w.str(cut(control, MAX_CONTROL_ID))
                    .f32(*value)
                    .bool(*at_default);
            }
            CustomMenuString {
                control,
                value,
                at_default,
            } => {
                w.str(cut(control, MAX_CONTROL_ID))
                    .str(value)
                    .bool(*at_default);
            }
            RenameCustomControl { control, name } => {
                w.str(cut(control, MAX_CONTROL_ID)).str(name);
            }
            HighlightCustomControl { control, on } | IndicateCustomControl { control, on } => {
                w.str(cut(control, MAX_CONTROL_ID)).bool(*on);
            }
            _ => {}
        }
    }

    /// `protocol_rev` decides whether ApplicationDefinition carries a task name (rev ≥ 7).
    pub(super) fn read(r: &mut Reader<'_>, id: u32, protocol_rev: u32) -> Result<Self, TipcError> {
        use AppCommand::*;
        Ok(match id {
            0x81 => ApplicationDefinition {
                app_name: r.str("appStr")?,
                system_dir: r.str("sysDirStr")?,
                user_dir: r.str("usrDirStr")?,
                task: if protocol_rev >= 7 {
                    Some(r.str("taskStr")?)
                } else {
                    None
                },
            },
            0x82 => ParameterValue {
                param_id: r.u32("paramID")?,
                value: r.f32("value")?,
                at_default: r.bool("atDefault")?,
            },
            0x83 => MenuString {
                menu_id: r.u32("menuID")?,
                value: r.str("valueStr")?,
                at_default: r.bool("atDefault")?,
            },
            0x84 => AllChange,
            0x85 => ModeValue {
                mode_id: r.u32("modeID")?,
            },
            0x86 => DisplayText {
                lines: read_display_lines(r)?,
            },
            0x87 => {
                let panel_id = r.u32("panelID")?;
                let at = r.at;
                let n = r.u32("numStrings")?;
                if n > 2 {
                    r.at = at;
                    return Err(r.fail(format!("numStrings {n}, at most 2")));
                }
                let mut lines = Vec::new();
                for _ in 0..n {
                    let text = r.str_max("textStr", ARC_DISPLAY)?;
                    if !text.is_empty() {
                        r.u32("reserved")?;
                    }
                    lines.push((!text.is_empty()).then_some(text));
                }
                ArcDisplayText { panel_id, lines }
            }
            0xA0..=0xAA => Self::read_rest(r, id)?,
            _ => return Err(r.fail(format!("0x{id:02X} is no application → Hub command"))),
        })
    }

    fn read_rest(r: &mut Reader<'_>, id: u32) -> Result<Self, TipcError> {
        use AppCommand::*;
        Ok(match id {
            0xA0 => UnmanagedPanelCapabilitiesRequest {
                panel_id: r.u32("panelID")?,
            },
            0xA1 => UnmanagedDisplayWrite {
                panel_id: r.u32("panelID")?,
                display_id: r.u32("displayID")?,
                line: r.u32("lineNum")?,
                column: r.u32("pos")?,
                text: r.str("dispStr")?,
            },
            0xA2 => RenameControl {
                target_id: r.u32("targetID")?,
                name: r.str("nameStr")?,
            },
            0xA3 => HighlightControl {
                target_id: r.u32("targetID")?,
                on: r.bool("state")?,
            },
            0xA4 => IndicateControl {
                target_id: r.u32("targetID")?,
                on: r.bool("state")?,
            },
            0xA5 => PanelConnectionStatesRequest,
            0xA6 => CustomParameterValue {
                control: r.control()?,
                value: r.f32("value")?,
                at_default: r.bool("atDefault")?,
            },
            0xA7 => CustomMenuString {
                control: r.control()?,
                value: r.str("valueStr")?,
                at_default: r.bool("atDefault")?,
            },
            0xA8 => RenameCustomControl {
                control: r.control()?,
                name: r.str("nameStr")?,
            },
            0xA9 => HighlightCustomControl {
                control: r.control()?,
                on: r.bool("state")?,
            },
            0xAA => IndicateCustomControl {
                control: r.control()?,
                on: r.bool("state")?,
            },
            _ => return Err(r.fail(format!("0x{id:02X} is no application → Hub command"))),
        })
    }
}

fn read_display_lines(r: &mut Reader<'_>) -> Result<Vec<DisplayLine>, TipcError> {
    let at = r.at;
    let n = r.u32("numStrings")? as usize;
    if n > (r.body.len() - r.at) / 4 {
        r.at = at;
        return Err(r.fail(format!("numStrings {n} does not fit the message")));
    }
    let mut lines = Vec::with_capacity(n);
    for _ in 0..n {
        let text = r.str_max("stateStr", DISPLAY_SINGLE)?;
        if text.is_empty() {
            lines.push(DisplayLine {
                text: None,
                double_height: false,
            });
            continue;
        }
        let at = r.at;
        let double_height = r.bool("doubleHeight")?;
        if double_height && text.chars().count() > DISPLAY_DOUBLE {
            r.at = at;
            return Err(r.fail(format!(
                "a double-height line holds {DISPLAY_DOUBLE} characters, not {}",
                text.chars().count()
            )));
        }
        lines.push(DisplayLine {
            text: Some(text),
            double_height,
        });
    }
    Ok(lines)
}
