"""A loopback HTTP server (127.0.0.1, port 0) serving HLS playlists and DASH manifests of synthetic segments.

The segments are not video: yt-dlp's native downloaders only fetch and join bytes, so what the tests check
is which program fetched them, how many bytes arrived and whether the bytes are right (decrypted, in order).

Paths:
- /hls/<name>.m3u8 — a media playlist; `name` picks the variant (see PLAYLISTS);
- /seg/<n>.ts — segment n (SEGMENT_BYTES of byte n % 256, AES-128 encrypted under /aes-* playlists);
- /key.bin — the AES-128 key;
- /dash/<name>.mpd, /dash/init.mp4, /dash/<n>.m4s — a DASH manifest (static or dynamic) and its segments;
- /page — an HTML page whose <title> is `page_title`, with a <video> pointing at /seg/0.ts.
"""

from __future__ import annotations

import functools
import html
import re
import urllib.parse

from Cryptodome.Cipher import AES
from loopback_http import LoopbackServer, QuietHandler

_SEGMENT = re.compile(r"/(?:seg|aes-seg)/\d+\.ts|/dash/s\d+\.m4s")
KEY = bytes(range(16))
IV = bytes(16)


def segment_plaintext(index: int, size: int) -> bytes:
    return bytes([index % 256]) * size


@functools.cache
def encrypted_segment(index: int, size: int) -> bytes:
    """AES-128-CBC with PKCS#7 padding, as HLS segments are."""
    data = segment_plaintext(index, size)
    pad = 16 - len(data) % 16
    return AES.new(KEY, AES.MODE_CBC, IV).encrypt(data + bytes([pad]) * pad)


class LoopbackStreamServer(LoopbackServer):
    def __init__(self, *, segments: int = 4, segment_bytes: int = 64 * 1024, private_url: str = "") -> None:
        self.segments = segments
        self.segment_bytes = segment_bytes
        self.private_url = private_url  # a forbidden address some variants point at
        self.page_title = ""
        self.requests: list[str] = []
        self.bytes_served = 0
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                answer = server.answer(self.path)
                if answer is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, content_type = answer
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                    server.bytes_served += len(body)
                except OSError:  # the client gave up (a size cap): fine
                    pass

        self._listen(Handler)

    def plaintext(self) -> bytes:
        return b"".join(segment_plaintext(n, self.segment_bytes) for n in range(self.segments))

    def segment_requests(self) -> int:
        return sum(1 for path in self.requests if _SEGMENT.fullmatch(path))

    # ── content ──

    def answer(self, path: str) -> tuple[bytes, str] | None:
        parts = urllib.parse.urlsplit(path)
        route = parts.path
        if route.startswith("/hls/") and route.endswith(".m3u8"):
            playlist = self.playlist(route[5:-5])
            return (playlist.encode(), "application/vnd.apple.mpegurl") if playlist else None
        if route == "/key.bin":
            return KEY, "application/octet-stream"
        if route.startswith(("/seg/", "/aes-seg/")) and route.endswith(".ts"):
            index = int(route.rsplit("/", 1)[1][:-3])
            if route.startswith("/aes-seg/"):
                data = encrypted_segment(index, self.segment_bytes)
            else:
                data = segment_plaintext(index, self.segment_bytes)
            return data, "video/mp2t"
        if route.startswith("/dash/") and route.endswith(".mpd"):
            return self.manifest(dynamic=route == "/dash/live.mpd").encode(), "application/dash+xml"
        if route == "/dash/init.mp4":
            return b"INIT" * 16, "video/mp4"
        if route.startswith("/dash/s") and route.endswith(".m4s"):
            return segment_plaintext(int(route[7:-4]), self.segment_bytes), "video/iso.segment"
        if route == "/page":
            page = (
                f"<!DOCTYPE html><html><head><title>{html.escape(self.page_title)}</title></head>"
                f'<body><video src="/seg/0.ts" type="video/mp4"></video></body></html>'
            )
            return page.encode("utf-8", "surrogatepass"), "text/html; charset=utf-8"
        return None

    def playlist(self, name: str) -> str | None:
        """plain, aes, aes-private-key, live, sample-aes, private-segment."""
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2"]
        lines.append("#EXT-X-MEDIA-SEQUENCE:7" if name == "live" else "#EXT-X-MEDIA-SEQUENCE:0")
        segment_dir = "/seg"
        if name in ("aes", "aes-private-key"):
            key_uri = self.url("/key.bin") if name == "aes" else f"{self.private_url}/key.bin"
            lines.append(f'#EXT-X-KEY:METHOD=AES-128,URI="{key_uri}",IV=0x{IV.hex()}')
            segment_dir = "/aes-seg"
        elif name == "sample-aes":
            lines.append(f'#EXT-X-KEY:METHOD=SAMPLE-AES,URI="{self.url("/key.bin")}",KEYFORMAT="identity"')
        elif name not in ("plain", "live", "private-segment"):
            return None
        for index in range(self.segments):
            lines.append("#EXTINF:2.0,")
            if name == "private-segment" and index == 1:
                lines.append(f"{self.private_url}/seg/{index}.ts")
            else:
                lines.append(f"{segment_dir}/{index}.ts")
        if name != "live":
            lines.append("#EXT-X-ENDLIST")
        return "\n".join(lines) + "\n"

    def manifest(self, *, dynamic: bool) -> str:
        kind = (
            'type="dynamic" availabilityStartTime="2026-01-01T00:00:00Z" minimumUpdatePeriod="PT2S"'
            if dynamic
            else f'type="static" mediaPresentationDuration="PT{2 * self.segments}S"'
        )
        segments = "".join(f'<SegmentURL media="/dash/s{n}.m4s"/>' for n in range(self.segments))
        return (
            f'<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" {kind} minBufferTime="PT2S" '
            'profiles="urn:mpeg:dash:profile:isoff-live:2011"><Period id="0" start="PT0S">'
            '<AdaptationSet mimeType="video/mp4" segmentAlignment="true">'
            '<Representation id="av" bandwidth="200000" codecs="avc1.42E01E,mp4a.40.2" width="320" height="240">'
            f'<SegmentList timescale="1" duration="2"><Initialization sourceURL="/dash/init.mp4"/>{segments}'
            "</SegmentList></Representation></AdaptationSet></Period></MPD>"
        )

