/**
 * Built-in weight initializers: {@code xavier-uniform}, {@code xavier-normal}, {@code he-uniform},
 * {@code he-normal}, {@code lecun-normal}, {@code orthogonal}, {@code zeros}, {@code ones},
 * {@code constant}, {@code normal} and {@code uniform}, with PyTorch's definitions. They draw only from
 * the seeded generator they are given.
 */
package dev.graft.plugins.init;
