import { App, Chart } from 'cdk8s';
import { BookinfoApp, SleepClient } from './lib';

// The seed's application: Bookinfo in `default` with sidecars, and the in-mesh `sleep`
// client used to check it (`kubectl exec deploy/sleep -- curl -sS productpage:9080/productpage`).
const app = new App();
const chart = new Chart(app, 'bookinfo');
new BookinfoApp(chart, 'bookinfo');
new SleepClient(chart, 'sleep');
app.synth();
