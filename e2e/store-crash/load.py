# Load for the daemon kill -9 test: IMAP APPEND connections and SMTP senders running at once.
# Prints "A <id>" when an APPEND got OK and "S <id>" when a message got 250 after DATA; reconnects
# after errors (the store group is killed under it) and stops when the stop file exists.
import imaplib, smtplib, ssl, sys, threading, time, os
imap_port, smtp_port, user, pw, domain, stopfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
lock = threading.Lock()
def out(s):
    with lock:
        sys.stdout.write(s + '\n'); sys.stdout.flush()
def msg(i, kind):
    body = ('%s line %s\r\n' % (kind, i)) * (5 + (hash(i) % 40))
    return ('From: load@example.net\r\nTo: %s@%s\r\nSubject: load %s\r\nX-Load: %s\r\n\r\n%s' % (user, domain, i, i, body)).encode()
def appender(n):
    k = 0
    while not os.path.exists(stopfile):
        try:
            M = imaplib.IMAP4('127.0.0.1', imap_port)
            M.login(user, pw)
            while not os.path.exists(stopfile):
                k += 1; i = 'a%d-%d' % (n, k)
                typ, _ = M.append('INBOX', None, None, msg(i, 'append'))
                if typ == 'OK': out('A ' + i)
        except Exception as e:
            time.sleep(0.2)
def sender(n):
    k = 0
    while not os.path.exists(stopfile):
        try:
            S = smtplib.SMTP('127.0.0.1', smtp_port, timeout=30)
            while not os.path.exists(stopfile):
                k += 1; i = 's%d-%d' % (n, k)
                S.sendmail('load@example.net', ['%s@%s' % (user, domain)], msg(i, 'smtp'))
                out('S ' + i)
        except Exception as e:
            time.sleep(0.2)
ts = [threading.Thread(target=appender, args=(n,)) for n in range(3)] + [threading.Thread(target=sender, args=(n,)) for n in range(3)]
for t in ts: t.start()
for t in ts: t.join()
