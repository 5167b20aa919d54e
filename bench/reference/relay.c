/*
 * The proxy benchmark's floor: the least a userspace TCP relay can do, in C, one thread, epoll, one read and one
 * blocking write per chunk, nothing parsed or counted. `relay <listen port> <upstream port>`, both on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 65536

static int peer[MAX_FDS];

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  return address;
}

static void watch(int epoll, int fd) {
  struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
  epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: relay <listen port> <upstream port>\n");
    return 2;
  }
  int one = 1;
  struct sockaddr_in listen_address = loopback(atoi(argv[1])), upstream = loopback(atoi(argv[2]));
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&listen_address, sizeof listen_address) || listen(listener, 128)) {
    perror("relay: listen");
    return 1;
  }
  int epoll = epoll_create1(0);
  watch(epoll, listener);
  struct epoll_event events[64];
  static char buffer[65536];
  for (;;) {
    int ready = epoll_wait(epoll, events, 64, -1);
    for (int i = 0; i < ready; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int client = accept(listener, NULL, NULL);
        int server = socket(AF_INET, SOCK_STREAM, 0);
        if (client < 0 || client >= MAX_FDS || server >= MAX_FDS ||
            connect(server, (struct sockaddr *)&upstream, sizeof upstream)) {
          close(client);
          close(server);
          continue;
        }
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        peer[client] = server;
        peer[server] = client;
        watch(epoll, client);
        watch(epoll, server);
        continue;
      }
      ssize_t count = read(fd, buffer, sizeof buffer);
      if (count <= 0) {
        close(fd);
        close(peer[fd]);
        continue;
      }
      for (ssize_t written = 0, n; written < count; written += n) {
        if ((n = write(peer[fd], buffer + written, count - written)) <= 0) break;
      }
    }
  }
}
