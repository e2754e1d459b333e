//! TIPC codec (protocols.md §5) and the Hub client against the simulated Hub over TCP.

use std::time::Duration;

use lookwire_protocol::sim::tangent_hub::{HubSetup, TangentHubSim};
use lookwire_protocol::tangent::ids::{Action, Channel, Parameter, TrimField};
use lookwire_protocol::tangent::wire::{
    body_len, decode_app, decode_hub, encode_app, encode_hub, AppCommand, DisplayLine, HubCommand,
    Panel,
};
use lookwire_protocol::tangent::{AppDefinition, HubClient, HubEvent};

fn every_hub_command() -> Vec<HubCommand> {
    use HubCommand::*;
    let control = || "lookwire.slope.r".to_string();
    vec![
        InitiateComms {
            protocol_rev: 6,
            panels: vec![
                Panel {
                    panel_type: 0x0C,
                    panel_id: 1,
                },
                Panel {
                    panel_type: 0x14,
                    panel_id: 9,
                },
            ],
        },
        ParameterChange {
            param_id: 0x0003_0001,
            increment: -0.015625,
        },
        ParameterReset { param_id: 7 },
        ParameterValueRequest { param_id: 8 },
        MenuChange {
            menu_id: 3,
            increment: -1,
        },
        MenuReset { menu_id: 4 },
        MenuStringRequest { menu_id: 5 },
        ActionOn { action_id: 0x10 },
        ModeChange { mode_id: 2 },
        Transport {
            jog: -32,
            shuttle: 5,
        },
        ActionOff { action_id: 0x10 },
        UnmanagedPanelCapabilities {
            panel_id: 1,
            buttons: 40,
            encoders: 12,
            displays: 3,
            display_lines: 2,
            display_chars: 32,
        },
        UnmanagedButtonDown {
            panel_id: 1,
            button_id: 17,
        },
        UnmanagedButtonUp {
            panel_id: 1,
            button_id: 17,
        },
        UnmanagedEncoderChange {
            panel_id: 2,
            encoder_id: 3,
            increment: 0.25,
        },
        UnmanagedDisplayRefresh { panel_id: 2 },
        PanelConnectionState {
            panel_id: 2,
            connected: true,
        },
        CustomParameterChange {
            control: control(),
            increment: 0.5,
        },
        CustomParameterReset { control: control() },
        CustomParameterValueRequest { control: control() },
        CustomMenuChange {
            control: control(),
            increment: 1,
        },
        CustomMenuReset { control: control() },
        CustomMenuStringRequest { control: control() },
        CustomActionOn { control: control() },
        CustomActionOff { control: control() },
    ]
}

fn every_app_command() -> Vec<AppCommand> {
    use AppCommand::*;
    let control = || "lookwire.sat".to_string();
    vec![
        ApplicationDefinition {
            app_name: "lookwire".into(),
            system_dir: "/opt/lookwire/tangent".into(),
            user_dir: String::new(),
            task: None,
        },
        ParameterValue {
            param_id: 0x0003_0001,
            value: 1.25,
            at_default: false,
        },
        MenuString {
            menu_id: 1,
            value: "Rec.709".into(),
            at_default: true,
        },
        AllChange,
        ModeValue { mode_id: 3 },
        DisplayText {
            lines: vec![
                DisplayLine {
                    text: Some("CAM A".into()),
                    double_height: true,
                },
                DisplayLine {
                    text: None,
                    double_height: false,
                },
                DisplayLine {
                    text: Some("S 1.25 1.00 1.00".into()),
                    double_height: false,
                },
            ],
        },
        ArcDisplayText {
            panel_id: 4,
            lines: vec![Some("CAM A".into()), None],
        },
        UnmanagedPanelCapabilitiesRequest { panel_id: 1 },
        UnmanagedDisplayWrite {
            panel_id: 1,
            display_id: 0,
            line: 1,
            column: 4,
            text: "hello".into(),
        },
        RenameControl {
            target_id: 0x0010_0001,
            name: "Next cam".into(),
        },
        HighlightControl {
            target_id: 0x0010_0001,
            on: true,
        },
        IndicateControl {
            target_id: 0x0010_0002,
            on: false,
        },
        PanelConnectionStatesRequest,
        CustomParameterValue {
            control: control(),
            value: 0.5,
            at_default: false,
        },
        CustomMenuString {
            control: control(),
            value: "x".into(),
            at_default: false,
        },
        RenameCustomControl {
            control: control(),
            name: "Sat".into(),
        },
        HighlightCustomControl {
            control: control(),
            on: true,
        },
        IndicateCustomControl {
            control: control(),
            on: true,
        },
    ]
}

#[test]
fn the_worked_bytes_of_protocols_md() {
    // protocols.md §5: report paramID 0x00030001 = 1.25, not default.
    let bytes = encode_app(&[AppCommand::ParameterValue {
        param_id: 0x0003_0001,
        value: 1.25,
        at_default: false,
    }]);
    assert_eq!(
        bytes,
        [0, 0, 0, 0x10, 0, 0, 0, 0x82, 0, 3, 0, 1, 0x3F, 0xA0, 0, 0, 0, 0, 0, 0]
    );
    // lookwire's id for it is slope red.
    assert_eq!(
        Parameter::from_id(0x0003_0001),
        Some(Parameter::Cdl(TrimField::Slope, Channel::Red))
    );
}

#[test]
fn initiate_comms_and_display_text_bytes() {
    let bytes = encode_hub(&[HubCommand::InitiateComms {
        protocol_rev: 6,
        panels: vec![Panel {
            panel_type: 0x0C,
            panel_id: 1,
        }],
    }]);
    assert_eq!(
        bytes,
        [0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0x0C, 0, 0, 0, 1]
    );
    // A kept line is a length of 0 with no text and no doubleHeight.
    let text = encode_app(&[AppCommand::DisplayText {
        lines: vec![
            DisplayLine {
                text: Some("AB".into()),
                double_height: true,
            },
            DisplayLine {
                text: None,
                double_height: true,
            },
        ],
    }]);
    assert_eq!(
        text,
        [0, 0, 0, 22, 0, 0, 0, 0x86, 0, 0, 0, 2, 0, 0, 0, 2, b'A', b'B', 0, 0, 0, 1, 0, 0, 0, 0]
    );
    // Revision 7 adds the task name to the ApplicationDefinition.
    let def = AppDefinition {
        app_name: "lw".into(),
        system_dir: "/s".into(),
        user_dir: String::new(),
    };
    let rev6 = encode_app(&[def.command(6)]);
    let rev7 = encode_app(&[def.command(7)]);
    assert_eq!(rev7.len(), rev6.len() + 4);
    assert_eq!(&rev7[4..], [&rev6[4..], &[0, 0, 0, 0][..]].concat());
    assert_eq!(decode_app(&rev7[4..], 7).unwrap(), vec![def.command(7)]);
    assert!(
        decode_app(&rev7[4..], 6).is_err(),
        "a task name is no rev-6 command"
    );
}

#[test]
fn every_command_round_trips_several_to_a_message() {
    let hub = every_hub_command();
    let bytes = encode_hub(&hub);
    assert_eq!(
        body_len(bytes[..4].try_into().unwrap()).unwrap(),
        bytes.len() - 4
    );
    assert_eq!(decode_hub(&bytes[4..]).unwrap(), hub);
    let app = every_app_command();
    let bytes = encode_app(&app);
    assert_eq!(decode_app(&bytes[4..], 6).unwrap(), app);
    for c in &hub {
        assert_eq!(
            decode_hub(&encode_hub(std::slice::from_ref(c))[4..]).unwrap(),
            vec![c.clone()]
        );
    }
}

#[test]
fn too_long_text_is_cut_to_the_line() {
    let long = "x".repeat(40);
    let bytes = encode_app(&[
        AppCommand::DisplayText {
            lines: vec![DisplayLine {
                text: Some(long.clone()),
                double_height: false,
            }],
        },
        AppCommand::ArcDisplayText {
            panel_id: 1,
            lines: vec![Some(long)],
        },
    ]);
    let back = decode_app(&bytes[4..], 6).unwrap();
    let AppCommand::DisplayText { lines } = &back[0] else {
        panic!("{back:?}")
    };
    assert_eq!(lines[0].text.as_deref().map(str::len), Some(32));
    let AppCommand::ArcDisplayText { lines, .. } = &back[1] else {
        panic!("{back:?}")
    };
    assert_eq!(lines[0].as_deref().map(str::len), Some(19));
}

#[test]
fn bad_input_is_located_never_a_panic() {
    let cases: Vec<(Vec<u8>, &str, usize)> = vec![
        // Unknown command id.
        (vec![0, 0, 0, 0x55], "0x55", 4),
        // ParameterChange cut after its id field.
        (vec![0, 0, 0, 2, 0, 0, 0, 1], "ParameterChange", 8),
        // PanelConnectionState with a bool of 2.
        (vec![0, 0, 0, 0x35, 0, 0, 0, 1, 0, 0, 0, 2], "bool", 8),
        // InitiateComms announcing more panels than bytes.
        (
            vec![0, 0, 0, 1, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF],
            "numPanels",
            8,
        ),
        // A custom control id over 128 bytes.
        (vec![0, 0, 0, 0x3C, 0, 0, 1, 0], "at most 128", 4),
        // A NaN increment.
        (
            vec![0, 0, 0, 2, 0, 0, 0, 1, 0x7F, 0xC0, 0, 0],
            "not a finite number",
            8,
        ),
        // A second command cut short after a good first one.
        (vec![0, 0, 0, 8, 0, 0, 0, 1, 0, 0], "command id", 8),
    ];
    for (body, want, offset) in cases {
        let e = decode_hub(&body).unwrap_err();
        assert!(e.to_string().contains(want), "{body:?}: {e}");
        assert_eq!(e.offset, offset, "{body:?}: {e}");
    }
    // An app → Hub id is no Hub command and the other way round.
    assert!(decode_hub(&[0, 0, 0, 0x84]).is_err());
    assert!(decode_app(&[0, 0, 0, 0x02], 6).is_err());
    // Length prefixes: zero and oversized.
    assert!(body_len([0, 0, 0, 0]).is_err());
    assert!(body_len([0, 0, 0, 3]).is_err(), "no room for a command id");
    assert!(body_len([0, 0x10, 0, 0]).is_err());
    // Every truncation of valid messages, and scrambled bytes, end in an error or a
    // decode: never a panic.
    for bytes in [
        encode_hub(&every_hub_command()),
        encode_app(&every_app_command()),
    ] {
        for n in 0..bytes.len() - 4 {
            let body = &bytes[4..4 + n];
            let _ = decode_hub(body);
            let _ = decode_app(body, 7);
        }
        let mut x = 0x9E37_79B9u32;
        for _ in 0..2000 {
            let mut b = bytes[4..].to_vec();
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let i = x as usize % b.len();
                b[i] = (x >> 8) as u8;
            }
            let _ = decode_hub(&b);
            let _ = decode_app(&b, 7);
        }
    }
}

#[test]
fn lookwire_ids_are_distinct_and_outside_the_reserved_ranges() {
    let params: Vec<u32> = Parameter::all().iter().map(|p| p.id()).collect();
    let actions: Vec<u32> = Action::all().iter().map(|a| a.id()).collect();
    let mut all = params.clone();
    all.extend(&actions);
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "an id is used twice");
    assert!(all
        .iter()
        .all(|id| !lookwire_protocol::tangent::ids::is_reserved(*id)));
    for p in Parameter::all() {
        assert_eq!(Parameter::from_id(p.id()), Some(p));
    }
    for a in Action::all() {
        assert_eq!(Action::from_id(a.id()), Some(a));
    }
    assert_eq!(Action::from_id(0x0030_0000), None, "slot 0 is no slot");
    assert_eq!(Action::from_id(0x8000_0001), None);
}

async fn next_event(rx: &mut tokio::sync::mpsc::Receiver<HubEvent>) -> HubEvent {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("an event within 20 s")
        .expect("the client runs")
}

async fn until_ready(rx: &mut tokio::sync::mpsc::Receiver<HubEvent>) -> (u32, Vec<Panel>) {
    loop {
        if let HubEvent::Ready {
            protocol_rev,
            panels,
        } = next_event(rx).await
        {
            return (protocol_rev, panels);
        }
    }
}

#[tokio::test]
async fn the_client_talks_to_the_simulated_hub() {
    let app = AppDefinition {
        app_name: "lookwire".into(),
        system_dir: "/opt/lookwire/tangent".into(),
        user_dir: "/home/vc/tangent".into(),
    };
    let sim = TangentHubSim::start(
        "127.0.0.1:0",
        HubSetup {
            protocol_rev: 7,
            expect: Some(app.clone()),
            ..HubSetup::default()
        },
    )
    .await
    .unwrap();
    let (client, mut rx) = HubClient::start(sim.addr().to_string(), app.clone());
    let (rev, panels) = until_ready(&mut rx).await;
    assert_eq!(rev, 7);
    assert_eq!(panels.len(), 2);
    let def = sim
        .wait_for(0, Duration::from_secs(20), |c| {
            matches!(c, AppCommand::ApplicationDefinition { .. })
        })
        .await;
    assert_eq!(def, Some(app.command(7)));

    // Two commands in one message reach the application in order.
    sim.send(&[
        HubCommand::ParameterChange {
            param_id: 0x0003_0001,
            increment: 0.25,
        },
        HubCommand::ActionOn {
            action_id: 0x0010_0001,
        },
    ]);
    let mut got = Vec::new();
    while got.len() < 2 {
        if let HubEvent::Command(c) = next_event(&mut rx).await {
            got.push(c);
        }
    }
    assert_eq!(
        got,
        vec![
            HubCommand::ParameterChange {
                param_id: 0x0003_0001,
                increment: 0.25
            },
            HubCommand::ActionOn {
                action_id: 0x0010_0001
            }
        ]
    );

    // The application's answer reaches the Hub, byte-checked.
    client.send(AppCommand::ParameterValue {
        param_id: 0x0003_0001,
        value: 1.25,
        at_default: false,
    });
    let v = sim
        .wait_for(0, Duration::from_secs(20), |c| {
            matches!(c, AppCommand::ParameterValue { .. })
        })
        .await;
    assert!(v.is_some());

    // A message that is not TIPC is reported and dropped; the connection stays.
    sim.send_raw(vec![0, 0, 0, 4, 0, 0, 0, 0x55]);
    sim.send(&[HubCommand::ActionOff {
        action_id: 0x0010_0001,
    }]);
    let mut garbage = false;
    loop {
        match next_event(&mut rx).await {
            HubEvent::Garbage(e) => {
                assert!(e.to_string().contains("0x55"), "{e}");
                garbage = true;
            }
            HubEvent::Command(HubCommand::ActionOff { .. }) => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(garbage);
    assert_eq!(sim.connections(), 1);

    // A dropped connection is retried; the Hub gets the ApplicationDefinition again.
    let before = sim.received().len();
    sim.drop_connections();
    assert!(sim.wait_connections(2, Duration::from_secs(20)).await);
    until_ready(&mut rx).await;
    let again = sim
        .wait_for(before, Duration::from_secs(20), |c| {
            matches!(c, AppCommand::ApplicationDefinition { .. })
        })
        .await;
    assert_eq!(again, Some(app.command(7)));
    assert_eq!(sim.errors(), Vec::<String>::new());
}

#[tokio::test]
async fn the_simulated_hub_refuses_a_wrong_definition_and_unknown_parameters() {
    let want = AppDefinition {
        app_name: "lookwire".into(),
        system_dir: "/a".into(),
        user_dir: String::new(),
    };
    let sim = TangentHubSim::start(
        "127.0.0.1:0",
        HubSetup {
            expect: Some(want),
            ..HubSetup::default()
        },
    )
    .await
    .unwrap();
    let wrong = AppDefinition {
        app_name: "lookwire".into(),
        system_dir: "/b".into(),
        user_dir: String::new(),
    };
    let (_client, mut rx) = HubClient::start(sim.addr().to_string(), wrong);
    until_ready(&mut rx).await;
    tokio::time::timeout(Duration::from_secs(20), async {
        while sim.errors().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert!(sim.errors()[0].contains("expected"), "{:?}", sim.errors());
}

/// A Hub that accepts, opens the session and then never reads: the client's writes stall, the
/// link is dropped as stalled (not held "connected" with a queue growing behind it).
#[tokio::test]
async fn a_hub_that_stops_reading_is_dropped_as_stalled() {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let hub = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let hello = encode_hub(&[HubCommand::InitiateComms {
            protocol_rev: 6,
            panels: Vec::new(),
        }]);
        stream.write_all(&hello).await.unwrap();
        // Hold the connection open without reading a byte.
        tokio::time::sleep(Duration::from_secs(120)).await;
        drop(stream);
    });
    let app = AppDefinition {
        app_name: "lookwire".into(),
        system_dir: "/opt/lookwire/tangent".into(),
        user_dir: "/home/vc/tangent".into(),
    };
    let (client, mut rx) = HubClient::start(addr, app);
    until_ready(&mut rx).await;
    let value = |i: u32| AppCommand::ParameterValue {
        param_id: i,
        value: 1.0,
        at_default: false,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let reason = 'wait: loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "a Hub that never reads was not dropped within 60 s"
        );
        for i in 0..20_000 {
            client.send(value(i));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        while let Ok(event) = rx.try_recv() {
            if let HubEvent::Disconnected(reason) = event {
                break 'wait reason;
            }
        }
    };
    assert!(reason.contains("stalled"), "{reason}");
    hub.abort();
}
