export default function Admin() {
  return <p>TODO</p>;
}
