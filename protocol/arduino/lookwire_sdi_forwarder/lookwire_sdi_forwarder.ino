// lookwire SDI camera-control forwarder for the Blackmagic 3G-SDI Shield for Arduino.
//
// USB serial (lookwire) -> this sketch -> I2C -> shield -> SDI camera control in the
// shield's SDI output. The framing on the USB link is lookwire's own (not a Blackmagic
// protocol): each frame is COBS(type, seq, payload, CRC-8) followed by 0x00; see
// protocol/arduino/README.md and protocol/src/bmd/shield.rs. Needs Blackmagic's
// BMDSDIControl library (shipped with the shield's software).
//
// The shield is driven over I2C, not its UART: on Uno-class boards IO0/IO1 are the USB
// serial pins lookwire talks on.

#include <BMDSDIControl.h>
#include <Wire.h>

const int kShieldAddress = 0x6E;         // the shield's default 7-bit I2C address
const uint8_t kProtocol = 1;             // host <-> sketch framing version
const uint8_t kGroup = 0x01, kPing = 0x02, kReady = 0x80, kAck = 0x81, kNak = 0x82;
const uint8_t kNakCrc = 1, kNakBadGroup = 2, kNakShieldBusy = 3, kNakUnknownType = 4;
const unsigned long kShieldWaitMs = 40;  // a little over one frame at 25 fps

BMD_SDICameraControl_I2C sdiCameraControl(kShieldAddress);
bool shieldOk = false;

uint8_t rx[300];      // one COBS frame (255-byte group + type, seq, CRC, COBS overhead)
size_t rxLen = 0;
uint8_t frame[300];   // decoded

uint8_t crc8(const uint8_t* p, size_t n) {
  uint8_t crc = 0;
  while (n--) {
    crc ^= *p++;
    for (uint8_t i = 0; i < 8; i++) crc = (crc & 0x80) ? (uint8_t)((crc << 1) ^ 0x07) : (uint8_t)(crc << 1);
  }
  return crc;
}

// Decodes COBS; returns the decoded length or -1 if the frame is malformed.
int cobsDecode(const uint8_t* in, size_t n, uint8_t* out) {
  size_t at = 0, o = 0;
  while (at < n) {
    uint8_t code = in[at];
    if (code == 0 || at + code > n) return -1;
    for (uint8_t i = 1; i < code; i++) out[o++] = in[at + i];
    at += code;
    if (code < 0xFF && at < n) out[o++] = 0;
  }
  return (int)o;
}

void sendPacket(uint8_t type, uint8_t seq, const uint8_t* payload, uint8_t n) {
  uint8_t raw[8];
  raw[0] = type;
  raw[1] = seq;
  for (uint8_t i = 0; i < n; i++) raw[2 + i] = payload[i];
  raw[2 + n] = crc8(raw, 2 + n);
  // COBS-encode the (short, at most 8-byte) reply.
  uint8_t out[12];
  size_t codeAt = 0, o = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < (size_t)(3 + n); i++) {
    if (raw[i] == 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      out[o++] = raw[i];
      code++;
    }
  }
  out[codeAt] = code;
  out[o++] = 0;
  Serial.write(out, o);
}

void sendNak(uint8_t seq, uint8_t reason) { sendPacket(kNak, seq, &reason, 1); }

void sendReady(uint8_t seq) {
  uint8_t p[2] = {shieldOk ? (uint8_t)1 : (uint8_t)0, kProtocol};
  sendPacket(kReady, seq, p, 2);
}

// Reads the shield's IDENTITY register (0x0000) and checks it says "SDIC".
bool shieldPresent() {
  Wire.beginTransmission(kShieldAddress);
  Wire.write((uint8_t)0x00);
  Wire.write((uint8_t)0x00);
  if (Wire.endTransmission() != 0) return false;
  if (Wire.requestFrom(kShieldAddress, 4) != 4) return false;
  char id[4];
  for (int i = 0; i < 4; i++) id[i] = Wire.read();
  return id[0] == 'S' && id[1] == 'D' && id[2] == 'I' && id[3] == 'C';
}

// The message lengths and padding of a camera-control group add up (protocols.md 2.2).
bool groupValid(const uint8_t* g, size_t n) {
  if (n == 0 || n > 255) return false;
  size_t at = 0;
  while (at < n) {
    if (at + 4 > n) return false;
    uint8_t len = g[at + 1];
    if (g[at + 3] != 0 || len > 60) return false;
    size_t end = at + 4 + len, padded = end + ((4 - len % 4) % 4);
    if (padded > n) return false;
    for (size_t i = end; i < padded; i++)
      if (g[i] != 0) return false;
    at = padded;
  }
  return true;
}

void forwardGroup(uint8_t seq, const uint8_t* g, size_t n) {
  if (!groupValid(g, n)) return sendNak(seq, kNakBadGroup);
  unsigned long start = millis();
  while (!shieldOk || !sdiCameraControl.availableForWrite()) {
    if (millis() - start > kShieldWaitMs) return sendNak(seq, kNakShieldBusy);
  }
  sdiCameraControl.write(g, n);
  sendPacket(kAck, seq, nullptr, 0);
}

void handleFrame() {
  int n = cobsDecode(rx, rxLen, frame);
  if (n < 3 || frame[n - 1] != crc8(frame, n - 1)) return sendNak(0, kNakCrc);
  uint8_t type = frame[0], seq = frame[1];
  if (type == kPing) return sendReady(seq);
  if (type == kGroup) return forwardGroup(seq, frame + 2, n - 3);
  sendNak(seq, kNakUnknownType);
}

void setup() {
  Serial.begin(115200);
  Wire.begin();
  Wire.setClock(400000);
  shieldOk = shieldPresent();
  if (shieldOk) {
    sdiCameraControl.begin();
    sdiCameraControl.setOverride(true);  // else the shield passes its input's control data
  }
  sendReady(0);  // opening the port resets an Uno: tell the host we are up
}

void loop() {
  while (Serial.available() > 0) {
    uint8_t b = Serial.read();
    if (b == 0) {
      if (rxLen > 0) handleFrame();
      rxLen = 0;
    } else if (rxLen < sizeof(rx)) {
      rx[rxLen++] = b;
    } else {
      rxLen = 0;  // runaway noise: drop and resynchronise on the next 0x00
    }
  }
}
