using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Signalbook.Tests.Features.Email;

/// <summary>
/// A small SMTP server on 127.0.0.1 and a free port, for the tests: it speaks enough of RFC 5321 for MailKit (EHLO,
/// MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), keeps every message it accepts (envelope and parsed MIME),
/// and can refuse a recipient with a reply the test chooses.
/// </summary>
public sealed class SmtpListener : IAsyncDisposable
{
    public sealed record Received(string MailFrom, IReadOnlyList<string> RcptTo, MimeMessage Message);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<Received> _messages = new();

    /// <summary>Given the RCPT address, a reply that refuses it (e.g. "550 5.1.1 No such user"), or null to accept.</summary>
    public Func<string, string?> RecipientReply { get; set; } = _ => null;

    public int Port { get; }

    public IReadOnlyList<Received> Messages => _messages.ToList();

    public SmtpListener()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>A loopback port nothing listens on (bound, then released): a connection there is refused.</summary>
    public static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost ESMTP signalbook-test");
        string from = "";
        var to = new List<string>();
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteAsync("250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 localhost");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        var rcpt = Address(line);
                        if (RecipientReply(rcpt) is { } refusal) await writer.WriteLineAsync(refusal);
                        else
                        {
                            to.Add(rcpt);
                            await writer.WriteLineAsync("250 2.1.5 OK");
                        }
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } d && d != ".")
                            data.Append(d.StartsWith("..", StringComparison.Ordinal) ? d[1..] : d).Append("\r\n");
                        var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(data.ToString())));
                        _messages.Enqueue(new Received(from, to.ToList(), message));
                        await writer.WriteLineAsync("250 2.0.0 OK queued");
                        break;
                    case "RSET":
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the listener is stopping.
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line.Split(':', 2).ElementAtOrDefault(1)?.Trim() ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
