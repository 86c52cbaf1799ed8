// testStreams.js: Coro's streams through GJS: a TCP echo round trip
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson as `gjs -m testStreams.js`, like testCoro.js. Any exception, any GLib
// critical and any future still alive after a test fails the run.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import {assert, assertEq, assertThrows, assertThrowsCoro, assertThrowsGError, done, test, text}
    from './harness.js';

const encoder = new TextEncoder();

test('echo round trip over TCP', () => {
    const received = [];
    const started = Coro.start_server('127.0.0.1', 0, (reader, writer) => {
        const line = reader.readline();
        line.add_done_callback(f => {
            const data = f.get_value();
            received.push(text(data));
            writer.write_bytes(data);
            writer.close();
        });
        return line;
    });
    Coro.run(started);
    const server = started.get_object();
    assert(server instanceof Coro.Server, 'a server');
    assert(server.is_serving(), 'serving');

    const opening = Coro.open_connection('127.0.0.1', server.get_port());
    Coro.run(opening);
    const writer = opening.get_object();
    assert(writer instanceof Coro.StreamWriter, 'a writer');
    const reader = writer.get_reader();
    writer.write(encoder.encode('hello from gjs\n'));
    const line = reader.readline();
    Coro.run(line);
    assertEq(text(line.get_value()), 'hello from gjs\n', 'echoed line');
    assertEq(received.join(), 'hello from gjs\n', 'server side');
    const rest = reader.read(-1);
    Coro.run(rest);
    assertEq(rest.get_value().get_size(), 0, 'end of stream');
    assert(reader.at_eof(), 'at eof');

    writer.close();
    Coro.run(writer.wait_closed());
    let threw = false;
    try {
        writer.write(encoder.encode('late'));
    } catch (e) {
        threw = e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED);
    }
    assert(threw, 'write after close fails with G_IO_ERROR_CLOSED');
    server.close();
    Coro.run(server.wait_closed());
    assert(!server.is_serving(), 'closed');
});

test('connecting to a closed port', () => {
    const socket = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP);
    socket.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), false);
    const port = socket.get_local_address().get_port();
    socket.close();
    let refused = false;
    try {
        Coro.run(Coro.open_connection('127.0.0.1', port));
    } catch (e) {
        refused = e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_REFUSED);
    }
    assert(refused, 'G_IO_ERROR_CONNECTION_REFUSED');
});

// More reader, writer and server coverage.

function connectPair() {
    const accepted = [];
    const started = Coro.start_server('127.0.0.1', 0, (reader, writer) => {
        accepted.push(writer);
        return null;
    });
    Coro.run(started);
    const server = started.get_object();
    const opening = Coro.open_connection('127.0.0.1', server.get_port());
    Coro.run(opening);
    const client = opening.get_object();
    while (accepted.length === 0)
        Coro.run(Coro.sleep(0));
    return [server, client, accepted[0]];
}

function shut(server, ...writers) {
    for (const w of writers) {
        w.close();
        Coro.run(w.wait_closed());
    }
    server.close();
    Coro.run(server.wait_closed());
}

function memoryReader(str) {
    return Coro.StreamReader.new(Gio.MemoryInputStream.new_from_bytes(
        new GLib.Bytes(encoder.encode(str))));
}

test('reader over a memory input stream', () => {
    const reader = memoryReader('ab\ncdXYefghij');
    assert(reader.get_stream() instanceof Gio.InputStream, 'stream');
    let f = reader.readline();
    Coro.run(f);
    assertEq(text(f.get_value()), 'ab\n', 'readline');
    f = reader.readuntil(encoder.encode('XY'));
    Coro.run(f);
    assertEq(text(f.get_value()), 'cdXY', 'readuntil');
    f = reader.readexactly(2);
    Coro.run(f);
    assertEq(text(f.get_value()), 'ef', 'readexactly');
    f = reader.read(2);
    Coro.run(f);
    assertEq(text(f.get_value()), 'gh', 'read(2)');
    assert(!reader.at_eof(), 'not at eof');
    f = reader.read(-1);
    Coro.run(f);
    assertEq(text(f.get_value()), 'ij', 'read(-1)');
    assert(reader.at_eof(), 'at eof');
});

test('reader buffer size and the error it failed with', () => {
    const reader = memoryReader('ab\ncdef');
    assertEq(reader.get_buffer_size(), 0, 'nothing buffered');
    let f = reader.readline();
    Coro.run(f);
    assertEq(text(f.get_value()), 'ab\n', 'readline');
    assertEq(reader.get_buffer_size(), 4, 'the rest read along with the line');
    f = reader.read(1);
    Coro.run(f);
    assertEq(reader.get_buffer_size(), 3, 'one byte taken');
    assertEq(reader.get_exception(), null, 'no error');

    // A descriptor that is not open: every read fails with EBADF.
    const failing = Coro.StreamReader.new(Gio.UnixInputStream.new(9999, false));
    f = failing.read(-1);
    const e = assertThrows(() => Coro.run(f), 'read a bad descriptor');
    assert(e instanceof GLib.Error && e.domain === Gio.io_error_quark(), `an I/O error: ${e}`);
    assert(failing.get_exception().matches(e.domain, e.code), 'get_exception');
    f = failing.readline();
    const again = assertThrows(() => Coro.run(f), 'a later read');
    assertEq(again.message, e.message, 'fails with the same error');
});

test('writers of plain streams and of a connection; abort', () => {
    let out = Gio.MemoryOutputStream.new_resizable();
    const writer = Coro.StreamWriter.new(out);
    assertEq(writer.get_connection(), null, 'no connection');
    assert(writer.write(encoder.encode('plain')), 'write');
    writer.close();
    Coro.run(writer.wait_closed());
    assert(out.is_closed(), 'stream closed');
    assertEq(text(out.steal_as_bytes()), 'plain', 'written');

    out = Gio.MemoryOutputStream.new_resizable();
    const aborted = Coro.StreamWriter.new(out);
    aborted.abort();
    assert(aborted.is_closing(), 'closing');
    Coro.run(aborted.wait_closed());
    assert(out.is_closed(), 'stream closed at once');
    assertThrowsGError(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED,
        () => aborted.write(encoder.encode('late')), 'write after abort');

    out = Gio.MemoryOutputStream.new_resizable();
    const connection = Gio.SimpleIOStream.new(
        Gio.MemoryInputStream.new_from_bytes(new GLib.Bytes(encoder.encode('in\n'))), out);
    const both = Coro.StreamWriter.new_for_connection(connection);
    assert(both.get_connection() === connection, 'its connection');
    const line = both.get_reader().readline();
    Coro.run(line);
    assertEq(text(line.get_value()), 'in\n', 'read from the connection');
    assert(both.write(encoder.encode('out')), 'write');
    both.close();
    Coro.run(both.wait_closed());
    assert(connection.is_closed(), 'connection closed');
    assertEq(text(out.steal_as_bytes()), 'out', 'written to the connection');
});

test('serve_forever ends when the server closes; cancelling it closes the server', () => {
    let [server, client, peer] = connectPair();
    const forever = server.serve_forever();
    assert(!forever.done(), 'serving');
    Coro.Loop.get_default().call_soon(() => server.close());
    assertThrowsCoro(Coro.Error.CANCELLED, () => Coro.run(forever), 'closed');
    assert(!server.is_serving(), 'not serving');
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => Coro.run(server.serve_forever()),
        'closed server');
    shut(server, client, peer);

    [server, client, peer] = connectPair();
    assert(server.serve_forever().cancel('stop'), 'cancel');
    assert(!server.is_serving(), 'cancelling closed the server');
    shut(server, client, peer);
});

test('readuntil past the limit', () => {
    const reader = memoryReader('0123456789;');
    reader.set_limit(4);
    assertEq(reader.get_limit(), 4, 'limit');
    const f = reader.readuntil(encoder.encode(';'));
    assertThrowsCoro(Coro.Error.LIMIT_OVERRUN, () => Coro.run(f), 'CORO_ERROR_LIMIT_OVERRUN');
});

test('readexactly short of data keeps the partial bytes', () => {
    const reader = memoryReader('abc');
    const f = reader.readexactly(5);
    assertThrowsCoro(Coro.Error.INCOMPLETE_READ, () => Coro.run(f),
        'CORO_ERROR_INCOMPLETE_READ');
    assertEq(text(reader.get_partial()), 'abc', 'partial');
    assert(reader.at_eof(), 'at eof');
});

test('writer API over TCP', () => {
    const [server, client, peer] = connectPair();
    const reader = peer.get_reader();
    assert(!client.is_closing(), 'not closing');
    assert(client.can_write_eof(), 'can write eof');
    assertEq(client.get_peername().get_port(), server.get_port(), 'peername');
    assertEq(peer.get_sockname().get_port(), server.get_port(), 'sockname');
    assertEq(client.get_sockname().get_port(), peer.get_peername().get_port(), 'ports match');
    client.set_write_buffer_limits(1024, 0);
    assert(client.write(encoder.encode('one ')), 'write');
    assert(client.writelines([new GLib.Bytes(encoder.encode('two ')),
        new GLib.Bytes(encoder.encode('three '))]), 'writelines');
    assert(client.write_bytes(new GLib.Bytes(encoder.encode('four'))), 'write_bytes');
    Coro.run(client.drain());
    assertEq(client.get_write_buffer_size(), 0, 'buffer drained');
    assert(client.write_eof(), 'write_eof');
    const rest = reader.read(-1);
    Coro.run(rest);
    assertEq(text(rest.get_value()), 'one two three four', 'all data');
    assert(reader.at_eof(), 'peer at eof');
    client.close();
    assert(client.is_closing(), 'closing');
    shut(server, client, peer);
});

test('server sockets, clients and close_clients', () => {
    const [server, client, peer] = connectPair();
    assert(server.is_serving(), 'serving');
    assert(server.get_port() > 0, 'port');
    const sockets = server.get_sockets();
    assert(sockets.length >= 1 && sockets[0] instanceof Gio.Socket, 'sockets');
    assertEq(server.get_n_clients(), 1, 'one client');
    server.close();
    assert(!server.is_serving(), 'not serving');
    server.close_clients();
    const eof = client.get_reader().read(-1);
    Coro.run(eof);
    assertEq(eof.get_value().get_size(), 0, 'client sees eof');
    Coro.run(server.wait_closed());
    assertEq(server.get_n_clients(), 0, 'no clients');
    client.close();
    Coro.run(client.wait_closed());
    assert(peer.is_closing(), 'peer closed');
});

test('server abort_clients', () => {
    const [server, client, peer] = connectPair();
    server.close();
    server.abort_clients();
    Coro.run(server.wait_closed());
    assertEq(server.get_n_clients(), 0, 'no clients');
    assert(peer.is_closing(), 'peer aborted');
    client.close();
    Coro.run(client.wait_closed());
});

test('unix socket round trip', () => {
    const dir = GLib.Dir.make_tmp('coro-unix-XXXXXX');
    const path = GLib.build_filenamev([dir, 'sock']);
    const got = [];
    const started = Coro.start_unix_server(path, (reader, writer) => {
        const line = reader.readline();
        line.add_done_callback(f => {
            got.push(text(f.get_value()));
            writer.write(encoder.encode('ack\n'));
            writer.close();
        });
        return line;
    });
    Coro.run(started);
    const server = started.get_object();
    const opening = Coro.open_unix_connection(path);
    Coro.run(opening);
    const writer = opening.get_object();
    writer.write(encoder.encode('hi unix\n'));
    const line = writer.get_reader().readline();
    Coro.run(line);
    assertEq(text(line.get_value()), 'ack\n', 'reply');
    assertEq(got.join(), 'hi unix\n', 'server got');
    shut(server, writer);
    GLib.unlink(path);
    GLib.rmdir(dir);
});

// TLS, with the certificate the C test uses (tests/data). Without a TLS backend
// (glib-networking) there is nothing to test, and the tests pass empty.

function tlsFiles() {
    if (!Gio.TlsBackend.get_default().supports_tls())
        return null;
    const [file] = GLib.filename_from_uri(import.meta.url);
    const data = GLib.build_filenamev([GLib.path_get_dirname(file), '..', 'data']);
    const cert = GLib.build_filenamev([data, 'tls-cert.pem']);
    return [
        Gio.TlsCertificate.new_from_files(cert, GLib.build_filenamev([data, 'tls-key.pem'])),
        Gio.TlsFileDatabase.new(cert),
    ];
}

test('TLS round trip', () => {
    const files = tlsFiles();
    if (files === null)
        return;
    const [certificate, database] = files;
    const got = [];
    const started = Coro.start_tls_server('127.0.0.1', 0, certificate, (reader, writer) => {
        assert(writer.get_connection() instanceof Gio.TlsConnection, 'server side is TLS');
        const line = reader.readline();
        line.add_done_callback(f => {
            got.push(text(f.get_value()));
            writer.write(encoder.encode('ack\n'));
            writer.close();
        });
        return line;
    });
    Coro.run(started);
    const server = started.get_object();
    const opening = Coro.open_tls_connection('127.0.0.1', server.get_port(), database,
        'localhost');
    Coro.run(opening);
    const writer = opening.get_object();
    assert(writer.get_connection() instanceof Gio.TlsConnection, 'client side is TLS');
    assert(!writer.can_write_eof(), 'no write_eof over TLS');
    writer.write(encoder.encode('secret\n'));
    const line = writer.get_reader().readline();
    Coro.run(line);
    assertEq(text(line.get_value()), 'ack\n', 'reply');
    assertEq(got.join(), 'secret\n', 'server got');
    assertThrowsGError(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_SUPPORTED,
        () => writer.write_eof(), 'write_eof is G_IO_ERROR_NOT_SUPPORTED');
    shut(server, writer);
});

test('TLS certificate of another name', () => {
    const files = tlsFiles();
    if (files === null)
        return;
    const [certificate, database] = files;
    const started = Coro.start_tls_server('127.0.0.1', 0, certificate, () => null);
    Coro.run(started);
    const server = started.get_object();
    assertThrowsGError(Gio.tls_error_quark(), Gio.TlsError.BAD_CERTIFICATE,
        () => Coro.run(Coro.open_tls_connection('127.0.0.1', server.get_port(), database,
            'not-the-name')), 'G_TLS_ERROR_BAD_CERTIFICATE');
    server.close_clients();
    shut(server);
});

done();
